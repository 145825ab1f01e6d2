package io.auralink.comm.platform.crypto;

import java.util.List;

/**
 * One sensitive column as the re-encryption job sees it. A column {@code c} of table {@code t} keeps its value
 * sealed in {@code c_sealed} (see {@link Sealer}) and, when equality lookups need it, its keyed digest in
 * {@code c_hmac}; the original plaintext column {@code c} only holds rows written before sealing existed, until the
 * job seals them and sets it to NULL. A lookup-only column keeps no ciphertext at all: only its digest.
 *
 * @param field         the table and logical column, bound into every value's associated data
 * @param keyColumns    the row's key, in the order the domain passes it to {@link Sealer#seal}
 * @param sealed        whether the value is kept sealed ({@code c_sealed}); false for a lookup-only column
 * @param lookupPurpose the purpose of its {@code c_hmac} digest ({@link Sealer#lookup}), or null without one
 */
public record SealedColumn(Sealer.Field field, List<String> keyColumns, boolean sealed, String lookupPurpose) {

  public static SealedColumn sealed(String table, String column, String... keyColumns) {
    return new SealedColumn(new Sealer.Field(table, column), List.of(keyColumns), true, null);
  }

  public static SealedColumn lookupOnly(String table, String column, String purpose, String... keyColumns) {
    return new SealedColumn(new Sealer.Field(table, column), List.of(keyColumns), false, purpose);
  }

  public SealedColumn withLookup(String purpose) {
    return new SealedColumn(field, keyColumns, sealed, purpose);
  }

  public String table() {
    return field.table();
  }

  /** The legacy plaintext column. */
  public String plaintextColumn() {
    return field.column();
  }

  public String sealedColumn() {
    return field.column() + "_sealed";
  }

  public String lookupColumn() {
    return field.column() + "_hmac";
  }

  @Override
  public String toString() {
    return field.toString();
  }
}
