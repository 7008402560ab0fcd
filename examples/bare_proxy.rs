//! The floor under `facteur proxy`'s throughput: a bare TCP relay (tokio's
//! `copy_bidirectional`, one task per connection, nothing read, framed,
//! explained or recorded). `scripts/bench.sh` measures it beside the proxy
//! and the direct path in the same run: what any user-space relay costs on
//! this machine (twice the connections, every byte through one more
//! process), so the proxy's own cost is the ratio to this, not to direct.
//!
//! Usage: cargo run --release --example bare_proxy -- LISTEN UPSTREAM

use tokio::net::{TcpListener, TcpStream};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(listen), Some(upstream)) = (args.next(), args.next()) else {
        eprintln!("usage: bare_proxy LISTEN UPSTREAM");
        std::process::exit(2);
    };
    // The runtime `facteur proxy` uses.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(&listen).await?;
        loop {
            let (mut client, _) = listener.accept().await?;
            let upstream = upstream.clone();
            tokio::spawn(async move {
                if let Ok(mut server) = TcpStream::connect(&upstream).await {
                    let _ = client.set_nodelay(true);
                    let _ = server.set_nodelay(true);
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                }
            });
        }
    })
}
