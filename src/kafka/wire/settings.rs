//! Connection settings for the wire client, read from the librdkafka-style properties of a
//! cluster (`security.protocol`, `sasl.*`, `ssl.*`, `client.id`). Reading never fails: what the
//! client cannot honour becomes [`Security::problem`], reported by every request instead of a
//! connection attempt.
//!
//! Never connects, never shows a secret: passwords and key passphrases live in [`Secret`], whose
//! `Debug` is `<redacted>`, and [`Security::scrub`] takes them out of broker text.

use std::collections::BTreeMap;
use std::fmt;

use openssl::ssl::SslConnector;

use super::error::WireError;
use super::sasl::{SaslMechanism, SaslSettings};
use super::tls::TlsSettings;

/// Client id sent in every request header unless `client.id` is set.
const DEFAULT_CLIENT_ID: &str = "kafka-mcp";

/// `security.protocol`, in librdkafka's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityProtocol {
    /// No TLS, no SASL.
    Plaintext,
    /// TLS, no SASL.
    Ssl,
    /// SASL over plain TCP.
    SaslPlaintext,
    /// SASL over TLS.
    SaslSsl,
}

impl SecurityProtocol {
    pub(super) fn uses_tls(self) -> bool {
        matches!(self, SecurityProtocol::Ssl | SecurityProtocol::SaslSsl)
    }

    pub(super) fn uses_sasl(self) -> bool {
        matches!(
            self,
            SecurityProtocol::SaslPlaintext | SecurityProtocol::SaslSsl
        )
    }
}

/// A password or key passphrase: kept out of `Debug`, logs and error text.
#[derive(Clone, Default)]
pub(crate) struct Secret(pub(crate) String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How to reach the brokers (for DescribeQuorum, DescribeLogDirs): built from the same
/// librdkafka-style properties as the admin client (`security.protocol`, `sasl.*`, `ssl.*`).
/// `Debug` never shows secrets. `kafka::quorum` re-exports it as `QuorumSecurity`.
#[derive(Debug, Clone)]
pub struct Security {
    protocol: SecurityProtocol,
    pub(super) sasl: Option<SaslSettings>,
    pub(super) tls: TlsSettings,
    pub(super) client_id: String,
    problem: Option<String>,
}

impl Default for Security {
    fn default() -> Self {
        Security::plaintext()
    }
}

impl Security {
    /// PLAINTEXT: no TLS, no SASL.
    pub fn plaintext() -> Self {
        Security {
            protocol: SecurityProtocol::Plaintext,
            sasl: None,
            tls: TlsSettings::default(),
            client_id: DEFAULT_CLIENT_ID.to_owned(),
            problem: None,
        }
    }

    /// Reads librdkafka-style properties. Understood: `security.protocol`, `sasl.mechanism`
    /// (or `sasl.mechanisms`), `sasl.username`, `sasl.password`, `ssl.ca.location`
    /// (file, directory or `probe`), `ssl.ca.pem`, `ssl.certificate.location`,
    /// `ssl.certificate.pem`, `ssl.key.location`, `ssl.key.pem`, `ssl.key.password`,
    /// `ssl.keystore.location` (PKCS#12), `ssl.keystore.password`,
    /// `enable.ssl.certificate.verification`, `ssl.endpoint.identification.algorithm`,
    /// `client.id`; others are ignored. Never fails: a setting this module cannot honour is kept
    /// as [`Security::problem`]; every request then fails with it (`describe_quorum` answers
    /// `Unknown`).
    pub fn from_properties<I, K, V>(props: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let props: BTreeMap<String, String> = props
            .into_iter()
            .map(|(k, v)| (k.as_ref().trim().to_owned(), v.as_ref().to_owned()))
            .collect();
        let get = |key: &str| {
            props
                .get(key)
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        // Secrets are taken verbatim (no trimming): they are compared byte for byte.
        let secret = |key: &str| {
            props
                .get(key)
                .filter(|v| !v.is_empty())
                .cloned()
                .map(Secret)
        };
        let mut problems: Vec<String> = Vec::new();

        let protocol = match get("security.protocol")
            .map(|p| p.to_ascii_uppercase())
            .as_deref()
        {
            None | Some("PLAINTEXT") => SecurityProtocol::Plaintext,
            Some("SSL") => SecurityProtocol::Ssl,
            Some("SASL_PLAINTEXT") => SecurityProtocol::SaslPlaintext,
            Some("SASL_SSL") => SecurityProtocol::SaslSsl,
            Some(other) => {
                problems.push(format!(
                    "security.protocol '{other}' is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL"
                ));
                SecurityProtocol::Plaintext
            }
        };

        let mut sasl = None;
        if protocol.uses_sasl() {
            let mechanism = get("sasl.mechanism").or_else(|| get("sasl.mechanisms"));
            let mechanism = match mechanism.map(|m| m.to_ascii_uppercase()).as_deref() {
                Some("PLAIN") => Some(SaslMechanism::Plain),
                Some("SCRAM-SHA-256") => Some(SaslMechanism::ScramSha256),
                Some("SCRAM-SHA-512") => Some(SaslMechanism::ScramSha512),
                None => {
                    problems.push(
                        "sasl.mechanism is not set (librdkafka then uses GSSAPI), and DescribeQuorum \
                         over SASL/GSSAPI is not supported yet: set sasl.mechanism to PLAIN, \
                         SCRAM-SHA-256 or SCRAM-SHA-512"
                            .to_owned(),
                    );
                    None
                }
                Some(other) => {
                    problems.push(format!(
                        "DescribeQuorum over SASL/{other} is not supported yet (PLAIN, \
                         SCRAM-SHA-256 and SCRAM-SHA-512 are)"
                    ));
                    None
                }
            };
            if let Some(mechanism) = mechanism {
                match (get("sasl.username"), secret("sasl.password")) {
                    (Some(username), Some(password)) => {
                        sasl = Some(SaslSettings {
                            mechanism,
                            username,
                            password,
                        })
                    }
                    _ => problems.push(format!(
                        "sasl.username and sasl.password must both be set for SASL/{}",
                        mechanism.as_str()
                    )),
                }
            }
        }

        let mut tls = TlsSettings {
            ca_location: get("ssl.ca.location"),
            ca_pem: get("ssl.ca.pem"),
            certificate_location: get("ssl.certificate.location"),
            certificate_pem: get("ssl.certificate.pem"),
            key_location: get("ssl.key.location"),
            key_pem: secret("ssl.key.pem"),
            key_password: secret("ssl.key.password"),
            keystore_location: get("ssl.keystore.location"),
            keystore_password: secret("ssl.keystore.password"),
            ..TlsSettings::default()
        };
        match get("enable.ssl.certificate.verification")
            .map(|v| v.to_ascii_lowercase())
            .as_deref()
        {
            None | Some("true") => {}
            Some("false") => tls.verify_certificate = false,
            Some(other) => problems.push(format!(
                "enable.ssl.certificate.verification '{other}' is not true or false"
            )),
        }
        match props
            .get("ssl.endpoint.identification.algorithm")
            .map(|v| v.trim().to_ascii_lowercase())
            .as_deref()
        {
            None | Some("https") => {}
            Some("none") | Some("") => tls.verify_hostname = false,
            Some(other) => problems.push(format!(
                "ssl.endpoint.identification.algorithm '{other}' is not https or none"
            )),
        }

        Security {
            protocol,
            sasl,
            tls,
            client_id: get("client.id").unwrap_or_else(|| DEFAULT_CLIENT_ID.to_owned()),
            problem: (!problems.is_empty()).then(|| problems.join("; ")),
        }
    }

    /// The `security.protocol` in force.
    pub fn protocol(&self) -> SecurityProtocol {
        self.protocol
    }

    /// The SASL mechanism, when the protocol is SASL_* and the settings are complete.
    pub fn sasl_mechanism(&self) -> Option<SaslMechanism> {
        self.sasl.as_ref().map(|s| s.mechanism)
    }

    /// The SASL settings, when the protocol is SASL_* and they are complete.
    pub(crate) fn sasl(&self) -> Option<&SaslSettings> {
        self.sasl.as_ref()
    }

    /// Why these settings cannot be used for DescribeQuorum, if they cannot.
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// Replaces every secret in `text` (a broker's free-text message) with `<redacted>`.
    pub(crate) fn scrub(&self, text: &str) -> String {
        let mut out = text.to_owned();
        let secrets = [
            self.sasl.as_ref().map(|s| &s.password),
            self.tls.key_password.as_ref(),
            self.tls.keystore_password.as_ref(),
        ];
        for secret in secrets.into_iter().flatten() {
            if !secret.0.is_empty() {
                out = out.replace(&secret.0, "<redacted>");
            }
        }
        out
    }

    /// The TLS connector for SSL / SASL_SSL, `None` otherwise.
    pub(crate) fn tls_connector(&self) -> Result<Option<SslConnector>, WireError> {
        if !self.protocol.uses_tls() {
            return Ok(None);
        }
        self.tls.connector().map(Some)
    }

    /// Fails with [`WireError::Config`] when these settings cannot be used.
    pub(crate) fn usable(&self) -> Result<(), WireError> {
        match &self.problem {
            Some(problem) => Err(WireError::Config {
                reason: problem.clone(),
            }),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // ---- security settings --------------------------------------------------------------------

    const PASSWORD: &str = "hunter2-Sup3rSecret";

    #[test]
    fn properties_are_read_and_secrets_redacted() {
        let sec = Security::from_properties([
            ("security.protocol", "sasl_ssl"),
            ("sasl.mechanisms", "SCRAM-SHA-512"),
            ("sasl.username", "alice"),
            ("sasl.password", PASSWORD),
            ("ssl.key.password", PASSWORD),
            ("ssl.endpoint.identification.algorithm", "none"),
        ]);
        assert_eq!(sec.protocol(), SecurityProtocol::SaslSsl);
        assert_eq!(sec.sasl_mechanism(), Some(SaslMechanism::ScramSha512));
        assert_eq!(sec.problem(), None);
        assert!(!sec.tls.verify_hostname);
        let debug = format!("{sec:?}");
        assert!(!debug.contains(PASSWORD), "{debug}");
        assert!(debug.contains("<redacted>"));
        assert_eq!(
            sec.scrub(&format!("bad password {PASSWORD}!")),
            "bad password <redacted>!"
        );
    }

    #[test]
    fn unsupported_settings_are_reasons() {
        let gssapi = Security::from_properties([("security.protocol", "SASL_PLAINTEXT")]);
        assert!(gssapi
            .problem()
            .unwrap()
            .contains("GSSAPI is not supported yet"));
        let oauth = Security::from_properties([
            ("security.protocol", "SASL_SSL"),
            ("sasl.mechanism", "OAUTHBEARER"),
        ]);
        assert!(oauth
            .problem()
            .unwrap()
            .contains("SASL/OAUTHBEARER is not supported yet"));
        let no_password = Security::from_properties([
            ("security.protocol", "SASL_PLAINTEXT"),
            ("sasl.mechanism", "PLAIN"),
            ("sasl.username", "alice"),
        ]);
        assert!(no_password.problem().unwrap().contains("sasl.password"));
        let bogus = Security::from_properties([("security.protocol", "TLS")]);
        assert!(bogus.problem().unwrap().contains("security.protocol 'TLS'"));
    }
}
