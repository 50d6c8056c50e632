//! The service's own domain: an ACM certificate validated through DNS records in the user's
//! hosted zone (CloudFormation writes them and waits for the certificate), and an alias record
//! that points the name at what serves it.

use super::Node;

use super::json_macro::json;

use super::{Builder, r};
use crate::plan::Domain;

/// The logical id of the stack's certificate.
pub const CERTIFICATE: &str = "Certificate";
/// The logical id of the alias record.
pub const RECORD: &str = "DomainRecord";

/// The certificate for `domain`, in the stack's region (where the load balancer or the regional
/// API domain uses it).
pub fn certificate(b: &mut Builder<'_>, domain: &Domain) {
    b.add(
        CERTIFICATE,
        "AWS::CertificateManager::Certificate",
        json!({
            "DomainName": domain.name,
            "ValidationMethod": "DNS",
            "DomainValidationOptions": [{
                "DomainName": domain.name,
                "HostedZoneId": domain.hosted_zone_id
            }],
            "CertificateTransparencyLoggingPreference": "ENABLED"
        }),
    );
}

/// An `A` alias record for `domain` pointing at `target` (a DNS name) in `target_zone` (that
/// name's own hosted zone, which AWS gives as an attribute).
pub fn alias(b: &mut Builder<'_>, domain: &Domain, target: Node, target_zone: Node) {
    b.add(
        RECORD,
        "AWS::Route53::RecordSet",
        json!({
            "HostedZoneId": domain.hosted_zone_id,
            "Name": domain.name,
            "Type": "A",
            "AliasTarget": {
                "DNSName": target,
                "HostedZoneId": target_zone,
                "EvaluateTargetHealth": false
            }
        }),
    );
}

/// The certificate as a template value.
pub fn certificate_ref() -> Node {
    r(CERTIFICATE)
}
