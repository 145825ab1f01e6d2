package io.auralink.comm.verification.channels;

import io.auralink.comm.platform.config.Transport;
import io.auralink.comm.platform.tls.OutboundTls;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.verification.VerificationError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Email codes over SMTP through the Vert.x mail client: plain-text and HTML bodies from the templates below, the
 * connection secured as configured ({@code none}, {@code starttls} required, or {@code tls} from the start).
 */
public final class EmailChannel implements Channel {

  private static final Logger log = LoggerFactory.getLogger(EmailChannel.class);
  static final String SUBJECT = "Your AuraLink verification code";
  private static final String TEXT = """
    Your AuraLink verification code is {{code}}.

    It is valid for {{minutes}} minutes. If you did not ask for it, ignore this message.
    """;
  private static final String HTML = """
    <p>Your AuraLink verification code is <strong>{{code}}</strong>.</p>
    <p>It is valid for {{minutes}} minutes. If you did not ask for it, ignore this message.</p>
    """;

  private final MailClient client;
  private final String from;

  public EmailChannel(Vertx vertx, AppConfig.Verification.Smtp smtp, Transport transport) {
    MailConfig config = new MailConfig().setHostname(smtp.host()).setPort(smtp.port())
      .setStarttls(smtp.security().equals("starttls") ? StartTLSOptions.REQUIRED : StartTLSOptions.DISABLED)
      .setSsl(smtp.security().equals("tls"));
    smtp.username().ifPresent(user -> config.setUsername(user).setLogin(LoginOption.REQUIRED));
    smtp.password().ifPresent(config::setPassword);
    this.client = MailClient.create(vertx, OutboundTls.mail(transport, config));
    this.from = smtp.from();
  }

  @Override
  public Future<String> send(String destination, String code, Duration validFor) {
    String minutes = String.valueOf(Math.max(1, validFor.toMinutes()));
    MailMessage message = new MailMessage().setFrom(from).setTo(destination).setSubject(SUBJECT)
      .setText(fill(TEXT, code, minutes)).setHtml(fill(HTML, code, minutes));
    return client.sendMail(message)
      .<String>map(result -> result.getMessageID())
      .recover(failure -> {
        log.warn("the SMTP server did not take a verification email for {}: {}",
          Destinations.mask("email", destination), failure.getMessage());
        return VerificationError.DELIVERY_FAILED.fail("the mail server did not take the message; nothing was sent",
          new JsonObject().put("provider", "smtp"));
      });
  }

  private static String fill(String template, String code, String minutes) {
    return template.replace("{{code}}", code).replace("{{minutes}}", minutes);
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }
}
