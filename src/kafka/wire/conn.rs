//! Connections of the wire client: TCP connect (every resolved address in turn), TLS when
//! configured, size-prefixed Kafka request/response frames with correlation ids and request
//! header versions, ApiVersions and version negotiation, deadlines per step, and
//! [`request_one`], the one-request entry point.
//!
//! Never trusts a size prefix (frames over [`MAX_FRAME_BYTES`] are refused unread), never waits
//! past a deadline, never retries: callers decide whether another broker is worth asking.

use std::fmt;
use std::io;

use bytes::{BufMut, Bytes, BytesMut};
use kafka_protocol::messages::api_versions_response::ApiVersion;
use kafka_protocol::messages::{
    ApiKey, ApiVersionsRequest, ApiVersionsResponse, RequestHeader, ResponseHeader,
};
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, StrBytes};
use openssl::ssl::SslConnector;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{timeout_at, Instant};

use super::error::{describe_io, error_name, WireError, MAX_FRAME_BYTES};
use super::settings::Security;
use super::tls;

/// One try against one broker: where, how, and the deadlines for connection setup (TCP, TLS,
/// ApiVersions, SASL) and for the whole exchange.
pub(crate) struct Attempt<'a> {
    /// `host:port`.
    pub(crate) broker: &'a str,
    /// Settings; `connector` is built from them once per call.
    pub(crate) security: &'a Security,
    /// TLS connector for SSL / SASL_SSL.
    pub(crate) connector: Option<&'a SslConnector>,
    /// When this try started (for `waited_ms` in timeouts).
    pub(crate) started: Instant,
    /// Connection setup must be done by then.
    pub(crate) setup_deadline: Instant,
    /// The whole exchange must be done by then.
    pub(crate) deadline: Instant,
}

impl Attempt<'_> {
    fn waited_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Runs `fut` until `deadline`, naming `step` if it passes.
    pub(crate) async fn within<T>(
        &self,
        deadline: Instant,
        step: &'static str,
        fut: impl std::future::Future<Output = Result<T, WireError>>,
    ) -> Result<T, WireError> {
        match timeout_at(deadline, fut).await {
            Ok(r) => r,
            Err(_) => Err(WireError::Timeout {
                broker: self.broker.to_owned(),
                step,
                waited_ms: self.waited_ms(),
            }),
        }
    }

    /// Connects (TCP, then TLS when configured) and asks ApiVersions; SASL is left to the
    /// caller, which first checks that the API it wants is listed.
    pub(crate) async fn open(&self) -> Result<(Conn<'_>, Vec<ApiVersion>), WireError> {
        let broker = self.broker;
        let host = split_host(broker).ok_or_else(|| WireError::BadAddress {
            broker: broker.to_owned(),
        })?;
        let tcp = self
            .within(self.setup_deadline, "connect", self.connect_tcp())
            .await?;
        let io: Box<dyn Stream> = match self.connector {
            None => Box::new(tcp),
            Some(connector) => Box::new(
                self.within(
                    self.setup_deadline,
                    "TLS handshake",
                    tls::handshake(
                        connector,
                        broker,
                        host,
                        self.security.tls.verify_hostname,
                        tcp,
                    ),
                )
                .await?,
            ),
        };
        let mut conn = Conn {
            io,
            broker,
            correlation_id: 0,
            client_id: StrBytes::from_string(self.security.client_id.clone()),
        };

        let versions: ApiVersionsResponse = self
            .within(
                self.setup_deadline,
                "ApiVersions",
                conn.call(ApiKey::ApiVersions, &ApiVersionsRequest::default(), 0),
            )
            .await?;
        if versions.error_code != 0 {
            return Err(WireError::Kafka {
                broker: broker.to_owned(),
                step: "ApiVersions",
                code: versions.error_code,
                name: error_name(versions.error_code),
                message: None,
            });
        }
        Ok((conn, versions.api_keys))
    }

    async fn connect_tcp(&self) -> Result<TcpStream, WireError> {
        let broker = self.broker;
        let addrs: Vec<_> = tokio::net::lookup_host(broker)
            .await
            .map_err(|e| WireError::Resolve {
                broker: broker.to_owned(),
                detail: e.to_string(),
            })?
            .collect();
        let mut last = None;
        for addr in addrs {
            match TcpStream::connect(addr).await {
                Ok(s) => {
                    // Nagle only delays our small request frames.
                    let _ = s.set_nodelay(true);
                    tracing::debug!(broker = %broker, %addr, "connected");
                    return Ok(s);
                }
                Err(e) => last = Some(e),
            }
        }
        Err(WireError::Connect {
            broker: broker.to_owned(),
            detail: match last {
                Some(e) => describe_io(&e),
                None => "the name resolved to no address".to_owned(),
            },
        })
    }
}

/// The host part of `host:port` / `[v6]:port`, if it has a numeric port.
fn split_host(broker: &str) -> Option<&str> {
    let (host, port) = broker.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    (!host.is_empty()).then_some(host)
}

/// The highest version of `key` both sides speak; `Err(None)` when the broker does not list
/// the API, `Err(Some(range))` when the ranges do not overlap.
pub(crate) fn pick_version(
    api_keys: &[ApiVersion],
    key: ApiKey,
    ours: (i16, i16),
) -> Result<i16, Option<(i16, i16)>> {
    let theirs = api_keys
        .iter()
        .find(|a| a.api_key == key as i16)
        .ok_or(None)?;
    let lo = theirs.min_version.max(ours.0);
    let hi = theirs.max_version.min(ours.1);
    if lo > hi {
        Err(Some((theirs.min_version, theirs.max_version)))
    } else {
        Ok(hi)
    }
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// One connection: size-prefixed request/response frames with correlation ids.
pub(crate) struct Conn<'a> {
    io: Box<dyn Stream>,
    /// `host:port`, for errors.
    pub(super) broker: &'a str,
    correlation_id: i32,
    client_id: StrBytes,
}

pub(super) fn step_name(key: ApiKey) -> &'static str {
    match key {
        ApiKey::ApiVersions => "ApiVersions",
        ApiKey::SaslHandshake => "SaslHandshake",
        ApiKey::SaslAuthenticate => "SaslAuthenticate",
        ApiKey::DescribeQuorum => "DescribeQuorum",
        ApiKey::DescribeLogDirs => "DescribeLogDirs",
        _ => "request",
    }
}

impl Conn<'_> {
    fn protocol_err(&self, step: &'static str, detail: impl fmt::Display) -> WireError {
        WireError::Protocol {
            broker: self.broker.to_owned(),
            step,
            detail: detail.to_string(),
        }
    }

    fn io_err(&self, step: &'static str, e: &io::Error) -> WireError {
        WireError::Io {
            broker: self.broker.to_owned(),
            step,
            detail: describe_io(e),
        }
    }

    /// Sends `req` as `key` v`version` and decodes the matching response.
    pub(crate) async fn call<Req, Resp>(
        &mut self,
        key: ApiKey,
        req: &Req,
        version: i16,
    ) -> Result<Resp, WireError>
    where
        Req: Encodable + HeaderVersion,
        Resp: Decodable + HeaderVersion,
    {
        let step = step_name(key);
        self.correlation_id = self.correlation_id.wrapping_add(1);
        let id = self.correlation_id;
        let header = RequestHeader::default()
            .with_request_api_key(key as i16)
            .with_request_api_version(version)
            .with_correlation_id(id)
            .with_client_id(Some(self.client_id.clone()));
        let mut buf = BytesMut::with_capacity(128);
        buf.put_i32(0);
        header
            .encode(&mut buf, Req::header_version(version))
            .map_err(|e| self.protocol_err(step, e))?;
        req.encode(&mut buf, version)
            .map_err(|e| self.protocol_err(step, e))?;
        let size = i32::try_from(buf.len() - 4).map_err(|e| self.protocol_err(step, e))?;
        buf[..4].copy_from_slice(&size.to_be_bytes());
        self.io
            .write_all(&buf)
            .await
            .map_err(|e| self.io_err(step, &e))?;
        self.io.flush().await.map_err(|e| self.io_err(step, &e))?;

        let mut frame = self.read_frame(step).await?;
        let rh = ResponseHeader::decode(&mut frame, Resp::header_version(version))
            .map_err(|e| self.protocol_err(step, e))?;
        if rh.correlation_id != id {
            return Err(self.protocol_err(
                step,
                format!(
                    "correlation id {} does not match request {id}",
                    rh.correlation_id
                ),
            ));
        }
        Resp::decode(&mut frame, version).map_err(|e| self.protocol_err(step, e))
    }

    /// Reads one size-prefixed frame, refusing sizes over [`MAX_FRAME_BYTES`].
    async fn read_frame(&mut self, step: &'static str) -> Result<Bytes, WireError> {
        let mut prefix = [0u8; 4];
        self.io
            .read_exact(&mut prefix)
            .await
            .map_err(|e| self.io_err(step, &e))?;
        let size = i32::from_be_bytes(prefix);
        let len = usize::try_from(size)
            .ok()
            .filter(|n| *n <= MAX_FRAME_BYTES)
            .ok_or_else(|| WireError::FrameTooLarge {
                broker: self.broker.to_owned(),
                step,
                size: u64::from(u32::from_be_bytes(prefix)),
            })?;
        // Grow as bytes arrive rather than trusting the prefix with one big allocation.
        let mut body = Vec::with_capacity(len.min(64 * 1024));
        (&mut self.io)
            .take(len as u64)
            .read_to_end(&mut body)
            .await
            .map_err(|e| self.io_err(step, &e))?;
        if body.len() != len {
            return Err(self.io_err(
                step,
                &io::Error::new(io::ErrorKind::UnexpectedEof, "short frame"),
            ));
        }
        Ok(Bytes::from(body))
    }
}

#[cfg(test)]
mod tests {
    use kafka_protocol::messages::api_versions_response::ApiVersion;

    use super::*;

    #[test]
    fn versions_are_negotiated() {
        let keys = |min, max| {
            vec![ApiVersion::default()
                .with_api_key(55)
                .with_min_version(min)
                .with_max_version(max)]
        };
        assert_eq!(
            pick_version(&keys(0, 2), ApiKey::DescribeQuorum, (0, 2)),
            Ok(2)
        );
        assert_eq!(
            pick_version(&keys(0, 7), ApiKey::DescribeQuorum, (0, 2)),
            Ok(2)
        );
        assert_eq!(
            pick_version(&keys(0, 1), ApiKey::DescribeQuorum, (0, 2)),
            Ok(1)
        );
        assert_eq!(
            pick_version(&keys(3, 4), ApiKey::DescribeQuorum, (0, 2)),
            Err(Some((3, 4)))
        );
        assert_eq!(pick_version(&[], ApiKey::DescribeQuorum, (0, 2)), Err(None));
    }

    #[test]
    fn host_is_split_from_port() {
        assert_eq!(split_host("127.0.0.1:9092"), Some("127.0.0.1"));
        assert_eq!(split_host("kafka-1.example:9093"), Some("kafka-1.example"));
        assert_eq!(split_host("[::1]:9092"), Some("::1"));
        assert_eq!(split_host("kafka-1"), None);
        assert_eq!(split_host("kafka-1:http"), None);
    }
}
