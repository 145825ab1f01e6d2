/**
 * The top floor: a node and its composition, which roles deploy which verticles. The only package that knows every
 * domain and the api together; below it, {@code platform} knows none of them and the domains know each other only
 * through their contracts.
 */
package io.auralink.comm.node;
