//! An interface really brought down: a veth pair whose far end lives in a network namespace
//! the test creates, `vigie serve`'s built-in agent watching the near end. `ip link set …
//! down` makes the agent send linkDown (RFC 2863 §6) to the station's receiver, which raises
//! the alarm for that ifIndex; `up` sends linkUp, which clears it.
//!
//! Needs root and `ip netns` (iproute2): skipped with a message otherwise, but with
//! `VIGIE_REQUIRE_PEERS=1` a root run that cannot create the namespace fails. The namespace
//! and the links are deleted when the test ends, whatever happens (a `Drop` guard).

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;
use vigie_interop::free_udp_port;

use crate::serve::{Serve, free_tcp_address};
use crate::support::vigie;

/// A network namespace and a veth pair, one end in it, the other in the test's namespace;
/// both deleted when dropped.
struct VethPair {
    namespace: String,
    /// The end the agent sees.
    near: String,
}

impl VethPair {
    /// Creates them and brings both ends up; `Err` with the command's output when `ip`
    /// refuses.
    fn create() -> Result<Self, String> {
        let id = std::process::id() % 100_000;
        let pair = Self {
            namespace: format!("vigie-it-{id}"),
            near: format!("vgt{id}a"),
        };
        let far = format!("vgt{id}b");
        // From here on, `Drop` removes whatever was created.
        ip(&["netns", "add", &pair.namespace])?;
        ip(&[
            "link",
            "add",
            &pair.near,
            "type",
            "veth",
            "peer",
            "name",
            &far,
            "netns",
            &pair.namespace,
        ])?;
        ip(&["-n", &pair.namespace, "link", "set", &far, "up"])?;
        ip(&["link", "set", &pair.near, "up"])?;
        Ok(pair)
    }

    /// The near end's ifIndex, as the kernel (and the agent's ifTable) numbers it.
    fn if_index(&self) -> u32 {
        std::fs::read_to_string(format!("/sys/class/net/{}/ifindex", self.near))
            .expect("the veth exists")
            .trim()
            .parse()
            .expect("a number")
    }

    fn set(&self, state: &str) {
        ip(&["link", "set", &self.near, state]).expect("ip link set");
    }
}

impl Drop for VethPair {
    fn drop(&mut self) {
        // Deleting one end deletes the pair; deleting the namespace would too.
        let _ = ip(&["link", "del", &self.near]);
        let _ = ip(&["netns", "del", &self.namespace]);
    }
}

fn ip(args: &[&str]) -> Result<(), String> {
    let output = Command::new("ip")
        .args(args)
        .output()
        .map_err(|error| format!("ip {}: {error}", args.join(" ")))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}

fn required() -> bool {
    std::env::var_os("VIGIE_REQUIRE_PEERS").is_some_and(|value| value == "1")
}

/// The alarm of `key`, if any.
fn alarm(serve: &Serve, token: &str, key: &str) -> Option<Value> {
    let (code, alarms) = serve.get("/api/v1/alarms?limit=1000", Some(token));
    assert_eq!(code, 200, "{alarms}");
    alarms["items"]
        .as_array()?
        .iter()
        .find(|alarm| alarm["key"] == key)
        .cloned()
}

fn wait_for_state(serve: &Serve, token: &str, key: &str, state: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let found = alarm(serve, token, key);
        if found.as_ref().is_some_and(|alarm| alarm["state"] == state) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "alarm {key} never {state}: {found:?}\n{}",
            serve.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_veth_brought_down_raises_link_down_and_up_clears_it() {
    if !is_root() {
        eprintln!("skipped: creating a network namespace and a veth pair needs root");
        return;
    }
    let pair = match VethPair::create() {
        Ok(pair) => pair,
        Err(error) if !required() => {
            eprintln!("skipped: {error} (install iproute2; VIGIE_REQUIRE_PEERS=1 fails here)");
            return;
        }
        Err(error) => panic!("cannot create the namespace and veth pair: {error}"),
    };
    let dir = tempfile::tempdir().unwrap();
    let traps = format!("127.0.0.1:{}", free_udp_port());
    let agent = format!("127.0.0.1:{}", free_udp_port());
    let serve = Serve::start(
        dir.path(),
        free_tcp_address(),
        &["--traps", &traps, "--agent", &agent],
    );
    let token = vigie(
        "token",
        &["create", "link", "--data-dir", dir.path().to_str().unwrap()],
    )
    .stdout
    .trim()
    .to_owned();
    // The agent is up once its coldStart is stored: it has read the interfaces by then.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !serve
        .get("/api/v1/events", Some(&token))
        .1
        .to_string()
        .contains("1.3.6.1.6.3.1.1.5.1")
    {
        assert!(Instant::now() < deadline, "no coldStart\n{}", serve.log());
        std::thread::sleep(Duration::from_millis(100));
    }

    let key = format!("linkDown/localhost/1.3.6.1.2.1.2.2.1.1={}", pair.if_index());
    pair.set("down");
    wait_for_state(&serve, &token, &key, "active");
    pair.set("up");
    wait_for_state(&serve, &token, &key, "cleared");
}
