package io.auralink.comm.platform.tls;

import io.auralink.comm.platform.config.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/**
 * Every outbound connection (homeserver, LiveKit, SMTP, Twilio, Stripe, OAuth providers, webhooks) is made with
 * clients from here, so that one policy holds for all: certificates are verified, host names included, against the
 * JDK's CA store, or against the bundle in {@code AURALINK_OUTBOUND_CA_FILE} when one is configured (it then
 * replaces the JDK's store: a private deployment that also calls public services lists their roots in it too).
 * Nothing here or anywhere else trusts every certificate; OutboundTlsTest greps the code for that.
 */
public final class OutboundTls {

  private OutboundTls() {
  }

  public static WebClient webClient(Vertx vertx, Transport transport, WebClientOptions options) {
    options.setVerifyHost(true);
    transport.outboundCa().ifPresent(ca -> options.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString())));
    return WebClient.create(vertx, options);
  }

  public static MailConfig mail(Transport transport, MailConfig config) {
    // The mail client checks the server's host name only when told which algorithm to use.
    config.setHostnameVerificationAlgorithm("HTTPS");
    transport.outboundCa().ifPresent(ca -> config.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString())));
    return config;
  }
}
