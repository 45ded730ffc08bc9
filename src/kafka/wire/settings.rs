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

use super::error::{first_ssl_reason, WireError};
use openssl::hash::MessageDigest;
use openssl::pkcs12::Pkcs12;
use openssl::pkey::PKey;
use openssl::ssl::{SslMethod, SslVerifyMode};
use openssl::x509::X509;

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

/// A SASL mechanism this module can speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaslMechanism {
    /// `PLAIN`: user name and password sent as is (use it over SASL_SSL).
    Plain,
    /// `SCRAM-SHA-256` (RFC 5802 / 7677).
    ScramSha256,
    /// `SCRAM-SHA-512`.
    ScramSha512,
}

impl SaslMechanism {
    /// Kafka's name for the mechanism.
    pub fn as_str(self) -> &'static str {
        match self {
            SaslMechanism::Plain => "PLAIN",
            SaslMechanism::ScramSha256 => "SCRAM-SHA-256",
            SaslMechanism::ScramSha512 => "SCRAM-SHA-512",
        }
    }

    pub(crate) fn digest(self) -> MessageDigest {
        match self {
            SaslMechanism::ScramSha512 => MessageDigest::sha512(),
            _ => MessageDigest::sha256(),
        }
    }
}

/// `sasl.*` settings: a mechanism this module speaks and complete credentials.
#[derive(Debug, Clone)]
pub(crate) struct SaslSettings {
    pub(super) mechanism: SaslMechanism,
    pub(super) username: String,
    pub(super) password: Secret,
}

/// `ssl.*` settings as read from the properties (file paths and PEM text; secrets redacted in
/// `Debug`).
#[derive(Debug, Clone)]
pub(crate) struct TlsSettings {
    pub(super) ca_location: Option<String>,
    pub(super) ca_pem: Option<String>,
    pub(super) certificate_location: Option<String>,
    pub(super) certificate_pem: Option<String>,
    pub(super) key_location: Option<String>,
    pub(super) key_pem: Option<Secret>,
    pub(super) key_password: Option<Secret>,
    pub(super) keystore_location: Option<String>,
    pub(super) keystore_password: Option<Secret>,
    pub(super) verify_certificate: bool,
    pub(super) verify_hostname: bool,
}

impl Default for TlsSettings {
    fn default() -> Self {
        TlsSettings {
            ca_location: None,
            ca_pem: None,
            certificate_location: None,
            certificate_pem: None,
            key_location: None,
            key_pem: None,
            key_password: None,
            keystore_location: None,
            keystore_password: None,
            verify_certificate: true,
            verify_hostname: true,
        }
    }
}

impl TlsSettings {
    /// The openssl connector these settings describe.
    pub(super) fn connector(&self) -> Result<SslConnector, WireError> {
        let t = self;
        let config = |what: String| WireError::Config { reason: what };
        let ssl_err = |what: &str, e: openssl::error::ErrorStack| {
            config(format!("{what}: {}", first_ssl_reason(&e)))
        };
        let mut b = SslConnector::builder(SslMethod::tls_client())
            .map_err(|e| ssl_err("could not set up TLS", e))?;

        match t.ca_location.as_deref() {
            None | Some("probe") => {}
            Some(path) => {
                let is_dir = std::fs::metadata(path)
                    .map_err(|e| config(format!("cannot read ssl.ca.location '{path}': {e}")))?
                    .is_dir();
                let res = if is_dir {
                    b.load_verify_locations(None, Some(std::path::Path::new(path)))
                } else {
                    b.set_ca_file(path)
                };
                res.map_err(|e| ssl_err(&format!("ssl.ca.location '{path}' is not usable"), e))?;
            }
        }
        if let Some(pem) = &t.ca_pem {
            let certs = X509::stack_from_pem(pem.as_bytes())
                .map_err(|e| ssl_err("ssl.ca.pem is not PEM certificates", e))?;
            for cert in certs {
                b.cert_store_mut()
                    .add_cert(cert)
                    .map_err(|e| ssl_err("ssl.ca.pem could not be trusted", e))?;
            }
        }

        if let Some(path) = &t.keystore_location {
            let der = std::fs::read(path)
                .map_err(|e| config(format!("cannot read ssl.keystore.location '{path}': {e}")))?;
            let pass = t.keystore_password.as_ref().map_or("", |s| s.0.as_str());
            let parsed = Pkcs12::from_der(&der)
                .and_then(|p| p.parse2(pass))
                .map_err(|e| {
                    ssl_err(
                        &format!(
                            "ssl.keystore.location '{path}' could not be opened with \
                             ssl.keystore.password"
                        ),
                        e,
                    )
                })?;
            if let Some(cert) = parsed.cert {
                b.set_certificate(&cert)
                    .map_err(|e| ssl_err("keystore certificate rejected", e))?;
            }
            if let Some(key) = parsed.pkey {
                b.set_private_key(&key)
                    .map_err(|e| ssl_err("keystore key rejected", e))?;
            }
            for ca in parsed.ca.into_iter().flatten() {
                b.add_extra_chain_cert(ca)
                    .map_err(|e| ssl_err("keystore chain rejected", e))?;
            }
        }

        if let Some(path) = &t.certificate_location {
            b.set_certificate_chain_file(path).map_err(|e| {
                ssl_err(
                    &format!("ssl.certificate.location '{path}' is not usable"),
                    e,
                )
            })?;
        } else if let Some(pem) = &t.certificate_pem {
            let mut certs = X509::stack_from_pem(pem.as_bytes())
                .map_err(|e| ssl_err("ssl.certificate.pem is not PEM certificates", e))?
                .into_iter();
            if let Some(leaf) = certs.next() {
                b.set_certificate(&leaf)
                    .map_err(|e| ssl_err("ssl.certificate.pem rejected", e))?;
            }
            for extra in certs {
                b.add_extra_chain_cert(extra)
                    .map_err(|e| ssl_err("ssl.certificate.pem chain rejected", e))?;
            }
        }

        let key_pem: Option<(Vec<u8>, &str)> = if let Some(path) = &t.key_location {
            let bytes = std::fs::read(path)
                .map_err(|e| config(format!("cannot read ssl.key.location '{path}': {e}")))?;
            Some((bytes, "ssl.key.location"))
        } else {
            t.key_pem
                .as_ref()
                .map(|s| (s.0.as_bytes().to_vec(), "ssl.key.pem"))
        };
        if let Some((pem, what)) = key_pem {
            let key = match &t.key_password {
                Some(pass) => PKey::private_key_from_pem_passphrase(&pem, pass.0.as_bytes()),
                None => PKey::private_key_from_pem(&pem),
            }
            .map_err(|e| {
                ssl_err(
                    &format!(
                        "{what} is not a PEM private key, or ssl.key.password does not open it"
                    ),
                    e,
                )
            })?;
            b.set_private_key(&key)
                .map_err(|e| ssl_err(&format!("{what} rejected"), e))?;
            b.check_private_key().map_err(|e| {
                ssl_err(&format!("{what} does not match the client certificate"), e)
            })?;
        }
        if !t.verify_certificate {
            b.set_verify(SslVerifyMode::NONE);
        }
        Ok(b.build())
    }
}
