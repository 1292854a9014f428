//! The source documents rules cite, by key.

/// `(key, title)` of every source document a rule may cite.
pub const SOURCES: &[(&str, &str)] = &[
    ("sop", "HOWTO Bootstrap an AWS Organization Management Account (an MSP's standard operating procedure)"),
    ("sapro", "Setting Up Accounts for SA Pro Training"),
    ("workshop", "AWS getting-started workshop: Create or Prepare Management AWS Account"),
    ("cevo", "What to do to a new AWS Master Billing Account (Cevo)"),
    ("leverage", "binbash Leverage reference architecture: AWS Organization init workflow"),
    ("aws-orgs", "AWS Organizations User Guide: authorization policies (service and resource control policies)"),
    ("aws-iam-root", "AWS IAM User Guide: centrally manage root access for member accounts"),
    ("cis-aws", "CIS Amazon Web Services Foundations Benchmark (recommendation numbers in each rule's mappings)"),
];

pub fn is_known(key: &str) -> bool {
    SOURCES.iter().any(|(k, _)| *k == key)
}

pub fn title(key: &str) -> Option<&'static str> {
    SOURCES.iter().find(|(k, _)| *k == key).map(|(_, t)| *t)
}
