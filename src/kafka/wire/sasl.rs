//! SASL for the wire client: SaslHandshake and SaslAuthenticate with PLAIN or SCRAM-SHA-256/512
//! (RFC 5802 / 7677, over openssl's PBKDF2 and HMAC), on a connection `conn` opened.
//!
//! Never sends a password anywhere but the SASL exchange, never shows one: failures are scrubbed
//! of the configured secrets. GSSAPI and OAUTHBEARER are not spoken (`settings` reports them).

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use bytes::Bytes;
use kafka_protocol::messages::api_versions_response::ApiVersion;
use kafka_protocol::messages::{
    ApiKey, SaslAuthenticateRequest, SaslAuthenticateResponse, SaslHandshakeRequest,
    SaslHandshakeResponse,
};
use kafka_protocol::protocol::StrBytes;
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;

use super::conn::{pick_version, Conn};
use super::error::{error_name, first_ssl_reason, message_suffix, WireError};
use super::settings::{SaslMechanism, SaslSettings, Security};

/// SaslAuthenticate versions this module speaks.
const SASL_AUTHENTICATE_VERSIONS: (i16, i16) = (0, 2);

/// SCRAM iteration counts outside this range are refused (Kafka allows 4096..=16384).
const SCRAM_MAX_ITERATIONS: u32 = 100_000;

/// Authenticates `conn` (after ApiVersions listed `api_keys`) with `sasl`: SaslHandshake v1, then
/// one SaslAuthenticate round for PLAIN or two for SCRAM, checking the server's SCRAM signature.
/// Broker messages are scrubbed of `security`'s secrets.
pub(crate) async fn authenticate(
    conn: &mut Conn<'_>,
    sasl: &SaslSettings,
    api_keys: &[ApiVersion],
    security: &Security,
) -> Result<(), WireError> {
    let broker = conn.broker;
    let fail = |detail: String| WireError::Sasl {
        broker: broker.to_owned(),
        detail,
    };
    let mech = sasl.mechanism.as_str();
    pick_version(api_keys, ApiKey::SaslHandshake, (1, 1)).map_err(|_| {
        fail("the broker does not offer SaslHandshake v1; is this a SASL listener?".to_owned())
    })?;
    let auth_version = pick_version(
        api_keys,
        ApiKey::SaslAuthenticate,
        SASL_AUTHENTICATE_VERSIONS,
    )
    .map_err(|_| {
        fail(
            "the broker does not offer SaslAuthenticate v0..v2; is this a SASL listener?"
                .to_owned(),
        )
    })?;
    let hs: SaslHandshakeResponse = conn
        .call(
            ApiKey::SaslHandshake,
            &SaslHandshakeRequest::default().with_mechanism(StrBytes::from_static_str(mech)),
            1,
        )
        .await?;
    if hs.error_code != 0 {
        let offered: Vec<&str> = hs.mechanisms.iter().map(|m| m.as_str()).collect();
        return Err(fail(format!(
            "{} for SASL/{mech}; the listener offers [{}]: set sasl.mechanism to one of them, or \
             check security.protocol",
            error_name(hs.error_code),
            offered.join(", ")
        )));
    }
    tracing::debug!(broker = %broker, mechanism = mech, auth_version, "SASL handshake done");

    let check = |resp: &SaslAuthenticateResponse| -> Result<(), WireError> {
        if resp.error_code == 0 {
            return Ok(());
        }
        let message = resp
            .error_message
            .as_ref()
            .map(|m| security.scrub(m.as_str()))
            .filter(|m| !m.is_empty());
        Err(fail(format!(
            "{}{}; check sasl.mechanism, sasl.username and sasl.password",
            error_name(resp.error_code),
            message_suffix(&message)
        )))
    };

    match sasl.mechanism {
        SaslMechanism::Plain => {
            let mut token = Vec::with_capacity(sasl.username.len() + sasl.password.0.len() + 2);
            token.push(0);
            token.extend_from_slice(sasl.username.as_bytes());
            token.push(0);
            token.extend_from_slice(sasl.password.0.as_bytes());
            let resp = round(conn, token, auth_version).await?;
            check(&resp)
        }
        SaslMechanism::ScramSha256 | SaslMechanism::ScramSha512 => {
            let nonce = scram_nonce().map_err(fail)?;
            let first = ScramClientFirst::new(&sasl.username, &nonce);
            let resp = round(conn, first.message().into_bytes(), auth_version).await?;
            check(&resp)?;
            let server_first = String::from_utf8_lossy(&resp.auth_bytes).into_owned();
            let fin = first
                .finish(sasl.mechanism, &sasl.password.0, &server_first)
                .map_err(|e| fail(security.scrub(&e)))?;
            let resp = round(conn, fin.message.clone().into_bytes(), auth_version).await?;
            check(&resp)?;
            let server_final = String::from_utf8_lossy(&resp.auth_bytes).into_owned();
            fin.verify_server(&server_final)
                .map_err(|e| fail(security.scrub(&e)))
        }
    }
}

fn scram_nonce() -> Result<String, String> {
    let mut raw = [0u8; 24];
    openssl::rand::rand_bytes(&mut raw).map_err(|e| first_ssl_reason(&e))?;
    Ok(BASE64.encode(raw))
}

/// SCRAM `saslname`: `=` and `,` escaped (RFC 5802 §5.1).
fn scram_escape(name: &str) -> String {
    name.replace('=', "=3D").replace(',', "=2C")
}

pub(crate) fn hmac(md: MessageDigest, key: &[u8], data: &[u8]) -> Result<Vec<u8>, String> {
    let key = PKey::hmac(key).map_err(|e| first_ssl_reason(&e))?;
    let mut signer = openssl::sign::Signer::new(md, &key).map_err(|e| first_ssl_reason(&e))?;
    signer.update(data).map_err(|e| first_ssl_reason(&e))?;
    signer.sign_to_vec().map_err(|e| first_ssl_reason(&e))
}

/// The client-first message of a SCRAM exchange.
struct ScramClientFirst {
    nonce: String,
    bare: String,
}

/// The client-final message and the server signature it must be answered with.
struct ScramClientFinal {
    message: String,
    server_signature: Vec<u8>,
}

impl ScramClientFirst {
    fn new(username: &str, nonce: &str) -> Self {
        ScramClientFirst {
            nonce: nonce.to_owned(),
            bare: format!("n={},r={nonce}", scram_escape(username)),
        }
    }

    fn message(&self) -> String {
        format!("n,,{}", self.bare)
    }

    /// Builds the client-final message from the server-first one (RFC 5802 §3).
    fn finish(
        &self,
        mechanism: SaslMechanism,
        password: &str,
        server_first: &str,
    ) -> Result<ScramClientFinal, String> {
        let (mut nonce, mut salt, mut iterations) = (None, None, None);
        for attr in server_first.split(',') {
            match attr.split_once('=') {
                Some(("r", v)) => nonce = Some(v),
                Some(("s", v)) => salt = Some(v),
                Some(("i", v)) => iterations = Some(v),
                Some(("e", v)) => return Err(format!("the broker refused SCRAM: {v}")),
                Some(("m", _)) => {
                    return Err(
                        "the broker asks for a SCRAM extension kafka-mcp does not know".into(),
                    )
                }
                _ => {}
            }
        }
        let bad = |what: &str| format!("malformed SCRAM server-first message ({what})");
        let nonce = nonce.ok_or_else(|| bad("no nonce"))?;
        if !nonce.starts_with(&self.nonce) || nonce.len() <= self.nonce.len() {
            return Err(bad("nonce does not extend ours"));
        }
        let salt = BASE64
            .decode(salt.ok_or_else(|| bad("no salt"))?)
            .map_err(|_| bad("salt is not base64"))?;
        let iterations: u32 = iterations
            .ok_or_else(|| bad("no iteration count"))?
            .parse()
            .map_err(|_| bad("iteration count is not a number"))?;
        if iterations == 0 || iterations > SCRAM_MAX_ITERATIONS {
            return Err(bad("iteration count out of range"));
        }
        let md = mechanism.digest();
        let mut salted = vec![0u8; md.size()];
        openssl::pkcs5::pbkdf2_hmac(
            password.as_bytes(),
            &salt,
            iterations as usize,
            md,
            &mut salted,
        )
        .map_err(|e| first_ssl_reason(&e))?;
        let client_key = hmac(md, &salted, b"Client Key")?;
        let stored_key = openssl::hash::hash(md, &client_key).map_err(|e| first_ssl_reason(&e))?;
        let without_proof = format!("c=biws,r={nonce}");
        let auth_message = format!("{},{server_first},{without_proof}", self.bare);
        let client_signature = hmac(md, &stored_key, auth_message.as_bytes())?;
        let proof: Vec<u8> = client_key
            .iter()
            .zip(&client_signature)
            .map(|(a, b)| a ^ b)
            .collect();
        let server_key = hmac(md, &salted, b"Server Key")?;
        let server_signature = hmac(md, &server_key, auth_message.as_bytes())?;
        Ok(ScramClientFinal {
            message: format!("{without_proof},p={}", BASE64.encode(proof)),
            server_signature,
        })
    }
}

impl ScramClientFinal {
    /// Checks the server-final message proves the server knows the password too.
    fn verify_server(&self, server_final: &str) -> Result<(), String> {
        for attr in server_final.split(',') {
            match attr.split_once('=') {
                Some(("e", v)) => return Err(format!("the broker refused SCRAM: {v}")),
                Some(("v", v)) => {
                    let got = BASE64
                        .decode(v)
                        .map_err(|_| "SCRAM server signature is not base64".to_owned())?;
                    let same = got.len() == self.server_signature.len()
                        && openssl::memcmp::eq(&got, &self.server_signature);
                    return if same {
                        Ok(())
                    } else {
                        Err(
                            "the broker's SCRAM signature is wrong: it does not know this \
                             user's credentials (wrong cluster, or a man in the middle)"
                                .to_owned(),
                        )
                    };
                }
                _ => {}
            }
        }
        Err("malformed SCRAM server-final message".to_owned())
    }
}

/// One SaslAuthenticate exchange.
async fn round(
    conn: &mut Conn<'_>,
    token: Vec<u8>,
    version: i16,
) -> Result<SaslAuthenticateResponse, WireError> {
    let req = SaslAuthenticateRequest::default().with_auth_bytes(Bytes::from(token));
    conn.call(ApiKey::SaslAuthenticate, &req, version).await
}

#[cfg(test)]
mod tests {
    use super::*;

    // ---- SCRAM --------------------------------------------------------------------------------

    #[test]
    fn scram_sha256_matches_rfc7677() {
        let first = ScramClientFirst::new("user", "rOprNGfwEbeRWgbNEkqO");
        assert_eq!(first.message(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        let server_first = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,\
                            s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
        let fin = first
            .finish(SaslMechanism::ScramSha256, "pencil", server_first)
            .expect("finishes");
        assert_eq!(
            fin.message,
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,\
             p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        );
        fin.verify_server("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
            .expect("server proves itself");
        assert!(fin.verify_server("v=AAAA").is_err());
        assert!(fin
            .verify_server("e=invalid-proof")
            .unwrap_err()
            .contains("invalid-proof"));
    }

    #[test]
    fn scram_refuses_bad_server_first() {
        let first = ScramClientFirst::new("us=er,x", "abc");
        assert_eq!(first.message(), "n,,n=us=3Der=2Cx,r=abc");
        let mech = SaslMechanism::ScramSha512;
        assert!(first.finish(mech, "p", "r=zzz,s=AAAA,i=4096").is_err());
        assert!(first
            .finish(mech, "p", "r=abcd,s=AAAA,i=999999999")
            .is_err());
        assert!(first.finish(mech, "p", "r=abcd,i=4096").is_err());
    }
}
