//! TLS for the wire client: turns the `ssl.*` properties librdkafka understands into an openssl
//! connector (CA file, directory or PEM, client certificate and key, PKCS#12 keystore, verification
//! switches) and runs the client handshake with a verify result a person can act on.
//!
//! Never reads a property itself (`settings` does), never logs or shows a key password, never
//! speaks Kafka.

use std::pin::Pin;

use openssl::ssl::SslConnector;
use tokio::net::TcpStream;

use super::error::{describe_io, first_ssl_reason, WireError};

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
