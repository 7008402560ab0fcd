//! Unit tests of `mod.rs`, beside it: they reach its private items.

#[cfg(test)]
use super::*;

#[test]
fn the_upstream_is_one_address_or_the_world() {
    assert_eq!(
        Upstream::parse("mx.example:25"),
        Ok(Upstream::Addr {
            host: "mx.example".into(),
            port: 25
        })
    );
    assert_eq!(Upstream::parse("world"), Ok(Upstream::World(Proto::Smtp)));
    assert_eq!(
        Upstream::parse("world:pop3"),
        Ok(Upstream::World(Proto::Pop3))
    );
    assert!(Upstream::parse("mx.example").is_err());
    assert!(Upstream::parse("mx:x").is_err());
}

#[test]
fn a_record_is_named_by_time_client_and_account() {
    let peer: SocketAddr = "127.0.0.1:54012".parse().unwrap();
    assert_eq!(
        record_name(1_764_645_300, peer, Some("fred/../x")),
        "20251202-031500-127.0.0.1-54012-fred_.._x.json"
    );
    assert_eq!(
        record_name(0, peer, None),
        "19700101-000000-127.0.0.1-54012.json"
    );
}
