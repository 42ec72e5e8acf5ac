//! The certificate checks behind each `sslmode`, on rustls with the ring
//! provider (named here, never taken from a process-wide default that
//! another part of the program could change).

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{WebPkiServerVerifier, verify_server_cert_signed_by_trust_anchor};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use super::target::{RootCertificates, SslMode};

/// The authorities a verifying connection trusts, and where they came from
/// (for messages).
pub(super) struct Roots {
    pub store: RootCertStore,
    pub origin: String,
}

/// Loads the authorities for `verify-ca` / `verify-full`: `sslrootcert`,
/// else `~/.postgresql/root.crt` when it exists, else the host's store.
pub(super) fn load_roots(given: Option<&RootCertificates>, home: Option<&Path>) -> Result<Roots, String> {
    let default_file = home
        .map(|h| h.join(".postgresql").join("root.crt"))
        .filter(|f| f.exists());
    match (given, default_file) {
        (Some(RootCertificates::File(path)), _) => load_file(path),
        (None, Some(path)) => load_file(&path),
        (Some(RootCertificates::System), _) | (None, None) => load_system(),
    }
}

fn load_file(path: &Path) -> Result<Roots, String> {
    let shown = crate::domain::sanitize_line(&path.display().to_string()).into_owned();
    let certificates = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("cannot read the certificate file {shown}: {}", pem_problem(&e)))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("cannot read the certificate file {shown}: {}", pem_problem(&e)))?;
    let mut store = RootCertStore::empty();
    let (added, _unusable) = store.add_parsable_certificates(certificates);
    if added == 0 {
        return Err(format!(
            "the certificate file {shown} holds no usable CA certificate (PEM, -----BEGIN CERTIFICATE-----)"
        ));
    }
    Ok(Roots { store, origin: shown })
}

fn pem_problem(error: &rustls::pki_types::pem::Error) -> String {
    match error {
        rustls::pki_types::pem::Error::Io(io) => io.to_string(),
        other => format!("not PEM ({other:?})"),
    }
}

fn load_system() -> Result<Roots, String> {
    let found = rustls_native_certs::load_native_certs();
    let mut store = RootCertStore::empty();
    let (added, _unusable) = store.add_parsable_certificates(found.certs);
    if added == 0 {
        let why = found
            .errors
            .first()
            .map(|e| format!(" ({e})"))
            .unwrap_or_default();
        return Err(format!(
            "this host's certificate store holds no authority{why}; give one with ?sslrootcert=/path/ca.crt"
        ));
    }
    Ok(Roots {
        store,
        origin: "this host's certificate store".into(),
    })
}

/// A client configuration for `mode` (not `disable`). `roots` is needed
/// for the verifying modes only.
pub(super) fn client_config(mode: SslMode, roots: Option<&Roots>) -> Result<ClientConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder =
        ClientConfig::builder_with_provider(provider.clone()).with_safe_default_protocol_versions()?;
    let algorithms = provider.signature_verification_algorithms;
    let roots_store = || {
        Arc::new(
            roots
                .map(|r| r.store.clone())
                .unwrap_or_else(RootCertStore::empty),
        )
    };
    let config = match mode {
        SslMode::VerifyFull => {
            let verifier = WebPkiServerVerifier::builder_with_provider(roots_store(), provider)
                .build()
                .map_err(|e| rustls::Error::General(e.to_string()))?;
            builder.with_webpki_verifier(verifier).with_no_client_auth()
        }
        SslMode::VerifyCa => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(ChainOnly {
                roots: roots_store(),
                algorithms,
            }))
            .with_no_client_auth(),
        SslMode::Disable | SslMode::Prefer | SslMode::Require => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(EncryptOnly { algorithms }))
            .with_no_client_auth(),
    };
    Ok(config)
}

/// `require` / `prefer`: libpq's meaning, encryption without trusting the
/// certificate. The handshake's signatures are still checked, so the
/// server at least holds the key of the certificate it sent.
#[derive(Debug)]
struct EncryptOnly {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// `verify-ca`: the chain must lead to a trusted authority (and be in date);
/// the name in the certificate is not compared with the host.
#[derive(Debug)]
struct ChainOnly {
    roots: Arc<RootCertStore>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let certificate = ParsedCertificate::try_from(end_entity)?;
        verify_server_cert_signed_by_trust_anchor(
            &certificate,
            &self.roots,
            intermediates,
            now,
            self.algorithms.all,
        )?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
