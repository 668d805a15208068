//! Listens for v1/v2c traps and informs (community `public`) and prints each one.
//!
//! ```text
//! cargo run -p vigie-net --example trap_listener -- 127.0.0.1:10162
//! snmptrap -v2c -c public 127.0.0.1:10162 '' 1.3.6.1.6.3.1.1.5.3 ifIndex.3 i 3
//! ```

#![allow(clippy::print_stdout)] // an example's output is its point

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::mpsc;
use vigie_net::{NoObserver, NotificationListener};
use vigie_snmp::community::{CommunityEntry, CommunityTable};
use vigie_snmp::engine::{ResponderConfig, ResponderEngine};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let address: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:10162".to_owned())
        .parse()?;
    let mut communities = CommunityTable::new();
    communities.add(CommunityEntry::new("public", "public"))?;
    let engine = ResponderEngine::new(ResponderConfig {
        communities,
        max_message_size: 0,
    });
    let listener = NotificationListener::bind(&[address], engine).await?;
    println!("listening on {:?}", listener.local_addrs());
    let (sink, mut accepted) = mpsc::channel(1_024);
    tokio::spawn(listener.run(sink, Arc::new(NoObserver), std::future::pending()));
    while let Some(mut notification) = accepted.recv().await {
        println!(
            "{} {:?} {}: {:?}",
            notification.source,
            notification.version,
            notification.security_name,
            notification.pdu.varbinds()
        );
        // Nothing is stored here: acknowledge at once.
        if let Some(ack) = notification.take_ack() {
            ack.confirm().await?;
        }
    }
    Ok(())
}
