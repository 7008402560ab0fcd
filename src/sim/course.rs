//! The course's world (section II.1 of the handout): Fred at free.fr writes
//! to Marc at wanadoo.fr; hotmail.com is the "outside" of its telnet
//! example. Addresses are from the documentation ranges of RFC 5737.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use crate::sim::dns::MxEntry;
use crate::sim::world::{Domain, User, World};

fn user(name: &str, password: &str, full_name: &str) -> User {
    User {
        name: name.into(),
        password: password.into(),
        full_name: Some(full_name.into()),
        quota: None,
    }
}

fn list(members: &[&str]) -> Vec<String> {
    members.iter().map(|s| s.to_string()).collect()
}

impl Default for World {
    /// The course's world. Addresses are from the documentation ranges of
    /// RFC 5737, so no real host is named by number.
    fn default() -> Self {
        let postmaster = |to: &str| BTreeMap::from([("postmaster".to_string(), list(&[to]))]);
        World {
            domains: vec![
                Domain {
                    name: "free.fr".into(),
                    smtp: "smtp.free.fr".into(),
                    pop: Some("pop.free.fr".into()),
                    mx: None,
                    quota: None,
                    quota_tempfail: false,
                    greylisting: None,
                    users: vec![user("fred", "fredpass", "Fred")],
                    aliases: postmaster("fred@free.fr"),
                    lists: BTreeMap::from([(
                        "bts-snir".to_string(),
                        list(&["fred@free.fr", "marc@wanadoo.fr", "benja.roux@wanadoo.fr"]),
                    )]),
                },
                Domain {
                    name: "wanadoo.fr".into(),
                    smtp: "smtp.wanadoo.fr".into(),
                    pop: Some("pop.wanadoo.fr".into()),
                    mx: None,
                    quota: None,
                    quota_tempfail: false,
                    greylisting: None,
                    users: vec![
                        user("marc", "marcpass", "Marc"),
                        user("benja.roux", "benjapass", "Roux Benjamin"),
                    ],
                    aliases: postmaster("marc@wanadoo.fr"),
                    lists: BTreeMap::new(),
                },
                Domain {
                    name: "hotmail.com".into(),
                    smtp: "smtp.hotmail.com".into(),
                    pop: Some("pop.hotmail.com".into()),
                    mx: Some(vec![MxEntry::Host("mx1.hotmail.com".into())]),
                    quota: None,
                    quota_tempfail: false,
                    greylisting: None,
                    users: vec![user("skyrunner63", "skypass", "Skyrunner")],
                    aliases: postmaster("skyrunner63@hotmail.com"),
                    lists: BTreeMap::new(),
                },
            ],
            hosts: BTreeMap::from([
                ("smtp.free.fr".to_string(), Ipv4Addr::new(192, 0, 2, 25)),
                ("pop.free.fr".to_string(), Ipv4Addr::new(192, 0, 2, 110)),
                (
                    "smtp.wanadoo.fr".to_string(),
                    Ipv4Addr::new(198, 51, 100, 25),
                ),
                (
                    "pop.wanadoo.fr".to_string(),
                    Ipv4Addr::new(198, 51, 100, 110),
                ),
                (
                    "smtp.hotmail.com".to_string(),
                    Ipv4Addr::new(203, 0, 113, 25),
                ),
                (
                    "mx1.hotmail.com".to_string(),
                    Ipv4Addr::new(203, 0, 113, 26),
                ),
                (
                    "pop.hotmail.com".to_string(),
                    Ipv4Addr::new(203, 0, 113, 110),
                ),
            ]),
            dns: BTreeMap::new(),
            faults: BTreeMap::new(),
            queue: Default::default(),
            clock: Default::default(),
        }
    }
}
