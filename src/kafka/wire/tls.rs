//! TLS for the wire client: turns the `ssl.*` properties librdkafka understands into an openssl
//! connector (CA file, directory or PEM, client certificate and key, PKCS#12 keystore, verification
//! switches) and runs the client handshake with a verify result a person can act on.
//!
//! Never reads a property itself (`settings` does), never logs or shows a key password, never
//! speaks Kafka.

use std::pin::Pin;

use openssl::pkcs12::Pkcs12;
use openssl::pkey::PKey;
use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode};
use openssl::x509::X509;
use tokio::net::TcpStream;

use super::conn::describe_io;
use super::error::WireError;
use super::settings::Secret;

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

/// Runs the TLS client handshake with `broker` (`host` for SNI and hostname verification) over
/// `tcp`; a failure names openssl's reason and the certificate verify result.
pub(super) async fn handshake(
    connector: &SslConnector,
    broker: &str,
    host: &str,
    verify_hostname: bool,
    tcp: TcpStream,
) -> Result<tokio_openssl::SslStream<TcpStream>, WireError> {
    let tls_err = |detail: String| WireError::Tls {
        broker: broker.to_owned(),
        detail,
    };
    let ssl = connector
        .configure()
        .and_then(|c| c.verify_hostname(verify_hostname).into_ssl(host))
        .map_err(|e| tls_err(first_ssl_reason(&e)))?;
    let mut stream =
        tokio_openssl::SslStream::new(ssl, tcp).map_err(|e| tls_err(first_ssl_reason(&e)))?;
    if let Err(e) = Pin::new(&mut stream).connect().await {
        let verify = stream.ssl().verify_result();
        let mut detail = match e.ssl_error() {
            Some(stack) => first_ssl_reason(stack),
            None => match e.io_error() {
                Some(io) => describe_io(io),
                None => e.to_string(),
            },
        };
        if verify.as_raw() != 0 {
            detail.push_str(&format!(" (certificate verify: {})", verify.error_string()));
        }
        return Err(tls_err(detail));
    }
    Ok(stream)
}

/// The first reason in an openssl error stack, without file/line noise.
pub(super) fn first_ssl_reason(e: &openssl::error::ErrorStack) -> String {
    e.errors()
        .iter()
        .find_map(|x| x.reason().map(str::to_owned))
        .unwrap_or_else(|| e.to_string())
}
