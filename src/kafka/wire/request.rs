//! [`request_one`]: one request to one broker over a fresh connection — connect (TCP, TLS),
//! ApiVersions, SASL when configured, then the request at the best common version, all within
//! one deadline. The entry point `kafka::log_dirs` uses; it only composes `conn` and `sasl`.

use std::time::Duration;

use kafka_protocol::messages::ApiKey;
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion};
use tokio::time::Instant;

use super::conn::{pick_version, step_name, Attempt};
use super::error::WireError;
use super::sasl::authenticate;
use super::settings::Security;

/// Sends one request to one broker (`host:port`) over a fresh connection (TCP, TLS, ApiVersions,
/// SASL), at the highest version in `ours` that the broker
/// lists, all within `timeout`. `Ok(Err(None))`: the broker does not list `key`;
/// `Ok(Err(Some((min, max))))`: its versions do not overlap `ours`. Used by `kafka::log_dirs`.
pub async fn request_one<Req, Resp>(
    broker: &str,
    security: &Security,
    timeout: Duration,
    key: ApiKey,
    ours: (i16, i16),
    make: impl FnOnce(i16) -> Req,
) -> Result<Result<Resp, Option<(i16, i16)>>, WireError>
where
    Req: Encodable + HeaderVersion,
    Resp: Decodable + HeaderVersion,
{
    security.usable()?;
    let connector = security.tls_connector()?;
    let now = Instant::now();
    let attempt = Attempt {
        broker,
        security,
        connector: connector.as_ref(),
        started: now,
        setup_deadline: now + timeout,
        deadline: now + timeout,
    };
    let step = step_name(key);
    let (mut conn, api_keys) = attempt.open().await?;
    let version = match pick_version(&api_keys, key, ours) {
        Ok(v) => v,
        Err(found) => return Ok(Err(found)),
    };
    if let Some(sasl) = &security.sasl {
        attempt
            .within(
                attempt.setup_deadline,
                "SASL authentication",
                authenticate(&mut conn, sasl, &api_keys, security),
            )
            .await?;
    }
    let req = make(version);
    let resp = attempt
        .within(attempt.deadline, step, conn.call(key, &req, version))
        .await?;
    Ok(Ok(resp))
}
