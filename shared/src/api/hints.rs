//! What a failed resource's reason points at in the plan: CloudFormation says "Could not find
//! a value associated with JSONKey" or "Secrets Manager can't find the specified secret" of
//! the function, not which of the plan's variables names it. (A deploy looks every secret up
//! first, so a missing one fails a stack only when it goes in between; a JSON key cannot be
//! looked up without reading the secret's value. Parameter Store variables are read by ECS
//! when a task starts, after the stack is made, so no stack failure names them.) Read by the
//! deploy panel beside the failure.

use super::Failure;
use crate::plan::{Architecture, EnvSource, Plan};

/// The plan's part a failure's reason points at, in words, if it points at one.
pub fn failure_hint(plan: &Plan, failure: &Failure) -> Option<String> {
    let reason = failure.reason.to_ascii_lowercase();
    let region = plan.region.code();
    let listed = |pick: &dyn Fn(EnvSource<'_>) -> Option<String>| -> Option<String> {
        let names: Vec<String> = plan
            .environment
            .iter()
            .filter_map(|v| Some(format!("{} ({})", v.name, pick(v.source()?)?)))
            .collect();
        (!names.is_empty()).then(|| names.join(", "))
    };
    // A key the secret's JSON lacks (`json_key`): CloudFormation says "Could not find a value
    // associated with JSONKey in SecretString".
    if reason.contains("jsonkey") {
        let keyed: Vec<String> = plan
            .environment
            .iter()
            .filter_map(|v| {
                let (Some(EnvSource::Secret(name)), Some(key)) = (v.source(), &v.json_key) else {
                    return None;
                };
                Some(format!("{} (key {key} of {name})", v.name))
            })
            .collect();
        if keyed.is_empty() {
            return None;
        }
        return Some(format!(
            "The plan's variables that read a key of a secret's JSON: {}. Each secret's value must be a JSON object holding that key: add the key to the secret, or change the variable's JSON key.",
            keyed.join(", ")
        ));
    }
    // A secret named by a dynamic reference that is not there (the function's variables):
    // CloudFormation says "Secrets Manager can't find the specified secret." Not a refusal
    // (access denied), nor a secret the stack makes itself.
    let missing = ["can't find", "not found", "does not exist"]
        .iter()
        .any(|m| reason.contains(m));
    if reason.contains("secrets manager") && missing {
        let vars = listed(&|s| match s {
            EnvSource::Secret(name) => Some(name.to_string()),
            _ => None,
        })?;
        return Some(format!(
            "The plan's variables from Secrets Manager: {vars}. Each secret must exist in {region} in this account before the deploy: create it, or change the variable."
        ));
    }
    let zip_function = matches!(&plan.architecture, Architecture::Lambda(l) if l.image.is_none());
    if zip_function
        && failure.resource_type == "AWS::Lambda::Function"
        && (reason.contains("nosuchbucket") || reason.contains("nosuchkey"))
    {
        return Some(format!(
            "The function's code comes from the deploy's Code bucket and Code key: the bucket must be in {region} in this account and hold that key. Or deploy without them and upload a zip from this panel."
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples;
    use crate::plan::EnvVar;

    fn failed(resource_type: &str, reason: &str) -> Failure {
        Failure {
            logical_id: "Function".into(),
            resource_type: resource_type.into(),
            status: "CREATE_FAILED".into(),
            reason: reason.into(),
        }
    }

    fn var(name: &str, set: impl Fn(&mut EnvVar)) -> EnvVar {
        let mut v = EnvVar {
            name: name.into(),
            ..EnvVar::default()
        };
        set(&mut v);
        v
    }

    #[test]
    fn a_missing_secret_is_named_by_the_plans_variables() {
        let mut plan = examples::lambda();
        plan.environment = vec![
            var("MODE", |v| v.value = Some("live".into())),
            var("STRIPE_KEY", |v| {
                v.secret = Some("stackplan/shop/stripe".into())
            }),
        ];
        let secret = failed(
            "AWS::Lambda::Function",
            "Secrets Manager can't find the specified secret. (Service: SecretsManager)",
        );
        assert_eq!(
            failure_hint(&plan, &secret).as_deref(),
            Some(
                "The plan's variables from Secrets Manager: STRIPE_KEY (stackplan/shop/stripe). Each secret must exist in us-east-1 in this account before the deploy: create it, or change the variable."
            )
        );
        // A refusal is not a missing secret.
        let denied = failed(
            "AWS::Lambda::Function",
            "User is not authorized to perform: secretsmanager:GetSecretValue (Secrets Manager)",
        );
        assert_eq!(failure_hint(&plan, &denied), None);
        // Nothing in the plan to point at: no hint rather than a wrong one.
        plan.environment.clear();
        assert_eq!(failure_hint(&plan, &secret), None);
        assert_eq!(
            failure_hint(&plan, &failed("AWS::Lambda::Function", "Rate exceeded")),
            None
        );
    }

    #[test]
    fn a_key_the_secrets_json_lacks_is_named_by_the_variables_that_read_keys() {
        let mut plan = examples::lambda();
        plan.environment = vec![
            var("STRIPE_KEY", |v| {
                v.secret = Some("stackplan/shop/stripe".into())
            }),
            var("MAIL_PASSWORD", |v| {
                v.secret = Some("stackplan/shop/mail".into());
                v.json_key = Some("password".into());
            }),
        ];
        let keyless = failed(
            "AWS::Lambda::Function",
            "Could not find a value associated with JSONKey in SecretString",
        );
        assert_eq!(
            failure_hint(&plan, &keyless).as_deref(),
            Some(
                "The plan's variables that read a key of a secret's JSON: MAIL_PASSWORD (key password of stackplan/shop/mail). Each secret's value must be a JSON object holding that key: add the key to the secret, or change the variable's JSON key."
            )
        );
        plan.environment.truncate(1);
        assert_eq!(failure_hint(&plan, &keyless), None);
    }

    #[test]
    fn a_missing_code_bucket_points_at_the_deploys_code_fields() {
        let plan = examples::lambda();
        let missing = failed(
            "AWS::Lambda::Function",
            "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist",
        );
        assert!(
            failure_hint(&plan, &missing).unwrap().starts_with(
                "The function's code comes from the deploy's Code bucket and Code key"
            )
        );
        let fargate = examples::fargate();
        assert_eq!(failure_hint(&fargate, &missing), None);
    }
}
