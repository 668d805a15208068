//! Network interfaces: `/proc/net/dev` counters and `/sys/class/net/<if>` attributes
//! (the data of the IF-MIB `ifTable` and `ifXTable`, RFC 2863), and the link state changes
//! that become `linkDown`/`linkUp` notifications.

use super::HostPaths;
use super::read_text;

/// The 64-bit counters of one interface, from a line of `/proc/net/dev`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NetDevCounters {
    /// Received bytes.
    pub rx_bytes: u64,
    /// Received packets, all kinds.
    pub rx_packets: u64,
    /// Receive errors.
    pub rx_errors: u64,
    /// Received packets dropped.
    pub rx_dropped: u64,
    /// Received multicast packets.
    pub rx_multicast: u64,
    /// Transmitted bytes.
    pub tx_bytes: u64,
    /// Transmitted packets, all kinds.
    pub tx_packets: u64,
    /// Transmit errors.
    pub tx_errors: u64,
    /// Transmit packets dropped.
    pub tx_dropped: u64,
}

impl NetDevCounters {
    /// Received unicast packets: all packets less multicast (`/proc/net/dev` does not count
    /// broadcasts apart), as Net-SNMP computes `ifInUcastPkts`.
    pub fn rx_unicast(&self) -> u64 {
        self.rx_packets.saturating_sub(self.rx_multicast)
    }
}

/// `ifAdminStatus` (RFC 2863).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AdminStatus {
    /// up(1): the interface is configured up (`IFF_UP`).
    Up = 1,
    /// down(2).
    Down = 2,
    /// testing(3).
    Testing = 3,
}

impl AdminStatus {
    /// The INTEGER value of the MIB enumeration.
    pub fn code(self) -> i32 {
        self as i32
    }
}

/// `ifOperStatus` (RFC 2863), from the kernel's `operstate` (RFC 2863 names, lower case).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OperStatus {
    /// up(1).
    Up = 1,
    /// down(2).
    Down = 2,
    /// testing(3).
    Testing = 3,
    /// unknown(4).
    Unknown = 4,
    /// dormant(5).
    Dormant = 5,
    /// notPresent(6).
    NotPresent = 6,
    /// lowerLayerDown(7).
    LowerLayerDown = 7,
}

impl OperStatus {
    /// The INTEGER value of the MIB enumeration.
    pub fn code(self) -> i32 {
        self as i32
    }

    /// Parses the content of `/sys/class/net/<if>/operstate`.
    ///
    /// The kernel says `unknown` for drivers that do not track the link (`lo`, tun, many
    /// virtual devices) yet sets `IFF_RUNNING` for them, and Net-SNMP reports such an
    /// interface up(1) when it is administratively up: so does this function's caller,
    /// through [`Interface::oper_status`].
    pub fn parse(text: &str) -> Self {
        match text.trim() {
            "up" => Self::Up,
            "down" => Self::Down,
            "testing" => Self::Testing,
            "dormant" => Self::Dormant,
            "notpresent" => Self::NotPresent,
            "lowerlayerdown" => Self::LowerLayerDown,
            _ => Self::Unknown,
        }
    }

    /// Whether this state counts as "down" for `linkDown`/`linkUp` (RFC 2863 §6: down, and
    /// lowerLayerDown which is down because of a lower layer).
    fn is_down(self) -> bool {
        matches!(self, Self::Down | Self::LowerLayerDown)
    }
}

/// An `IANAifType` value (IANA-IF-TYPE-MIB).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IanaIfType(pub i32);

impl IanaIfType {
    /// other(1).
    pub const OTHER: Self = Self(1);
    /// ethernetCsmacd(6).
    pub const ETHERNET_CSMACD: Self = Self(6);
    /// ppp(23).
    pub const PPP: Self = Self(23);
    /// softwareLoopback(24).
    pub const SOFTWARE_LOOPBACK: Self = Self(24);
    /// ieee80211(71).
    pub const IEEE80211: Self = Self(71);
    /// tunnel(131).
    pub const TUNNEL: Self = Self(131);
    /// infiniband(199).
    pub const INFINIBAND: Self = Self(199);

    /// The IANA type for a Linux `ARPHRD_*` hardware type (`/sys/class/net/<if>/type`).
    pub fn from_arphrd(arphrd: u32) -> Self {
        match arphrd {
            ARPHRD_ETHER => Self::ETHERNET_CSMACD,
            ARPHRD_INFINIBAND => Self::INFINIBAND,
            ARPHRD_PPP => Self::PPP,
            ARPHRD_TUNNEL | ARPHRD_TUNNEL6 | ARPHRD_SIT | ARPHRD_IPGRE => Self::TUNNEL,
            ARPHRD_LOOPBACK => Self::SOFTWARE_LOOPBACK,
            ARPHRD_IEEE80211 => Self::IEEE80211,
            _ => Self::OTHER,
        }
    }
}

/// One interface as the host shows it at one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interface {
    /// The kernel's interface index, used as `ifIndex`.
    pub index: u32,
    /// The kernel name (`ifDescr`, `ifName`).
    pub name: String,
    /// `ifType`.
    pub if_type: IanaIfType,
    /// MTU in bytes.
    pub mtu: u32,
    /// The hardware address; empty when the kernel reports none or all zeros (`lo`),
    /// which Net-SNMP serves as a zero-length `ifPhysAddress`.
    pub address: Vec<u8>,
    /// The kernel flags (`IFF_*`).
    pub flags: u32,
    /// The kernel `operstate`.
    pub operstate: OperStatus,
    /// The link speed in Mb/s, `None` when the driver does not report one (or says -1).
    pub speed_mbps: Option<u64>,
    /// The kernel's interface alias (`ip link set … alias`), the host's `ifAlias`.
    pub alias: String,
    /// The `/proc/net/dev` counters.
    pub counters: NetDevCounters,
}

impl Interface {
    /// Builds an interface from its `/proc/net/dev` counters and its sysfs attributes,
    /// read through `attribute(name)` (`None` when the attribute is absent or unreadable).
    ///
    /// Returns `None` without a valid `ifindex`, the one attribute the table cannot do
    /// without.
    pub fn from_attributes(
        name: &str,
        counters: NetDevCounters,
        attribute: impl Fn(&str) -> Option<String>,
    ) -> Option<Self> {
        let index = attribute("ifindex")?.trim().parse::<u32>().ok()?;
        if index == 0 || index > MAX_IF_INDEX {
            return None;
        }
        let number = |attr: &str| attribute(attr).and_then(|text| parse_number(&text));
        let speed_mbps = attribute("speed")
            .and_then(|text| text.trim().parse::<i64>().ok())
            .and_then(|speed| u64::try_from(speed).ok())
            .filter(|&speed| speed > 0);
        let alias = attribute("ifalias")
            .map(|text| text.trim_end_matches('\n').to_owned())
            .unwrap_or_default();
        Some(Self {
            index,
            name: name.to_owned(),
            if_type: number("type")
                .and_then(|arphrd| u32::try_from(arphrd).ok())
                .map_or(IanaIfType::OTHER, IanaIfType::from_arphrd),
            mtu: number("mtu")
                .and_then(|mtu| u32::try_from(mtu).ok())
                .unwrap_or(0),
            address: attribute("address")
                .map(|text| parse_mac(&text))
                .unwrap_or_default(),
            flags: number("flags")
                .and_then(|flags| u32::try_from(flags).ok())
                .unwrap_or(0),
            operstate: attribute("operstate")
                .map_or(OperStatus::Unknown, |s| OperStatus::parse(&s)),
            speed_mbps,
            alias,
            counters,
        })
    }

    /// `ifAdminStatus`: up when `IFF_UP` is set.
    pub fn admin_status(&self) -> AdminStatus {
        if self.flags & IFF_UP != 0 {
            AdminStatus::Up
        } else {
            AdminStatus::Down
        }
    }

    /// `ifOperStatus`: the kernel's `operstate`, with `unknown` read as up when the
    /// interface is administratively up (the kernel then sets `IFF_RUNNING`, which is what
    /// Net-SNMP reports) and down otherwise.
    pub fn oper_status(&self) -> OperStatus {
        match (self.operstate, self.admin_status()) {
            (OperStatus::Unknown, AdminStatus::Up) => OperStatus::Up,
            (OperStatus::Unknown, _) => OperStatus::Down,
            (state, _) => state,
        }
    }

    /// The speed in bit/s: the driver's figure, else 10 Mb/s for a loopback (Net-SNMP's
    /// value for `lo`), else 0 ("unknown", RFC 2863 `ifSpeed`).
    pub fn speed_bps(&self) -> u64 {
        match self.speed_mbps {
            Some(mbps) => mbps.saturating_mul(1_000_000),
            None if self.if_type == IanaIfType::SOFTWARE_LOOPBACK => LOOPBACK_SPEED_BPS,
            None => 0,
        }
    }

    /// `ifSpeed` (`Gauge32`): bit/s, capped at 2^32-1 as RFC 2863 says for faster links.
    pub fn if_speed(&self) -> u32 {
        u32::try_from(self.speed_bps()).unwrap_or(u32::MAX)
    }

    /// `ifHighSpeed` (`Gauge32`): units of 1,000,000 bit/s, rounded (RFC 2863).
    pub fn high_speed(&self) -> u32 {
        u32::try_from(self.speed_bps().saturating_add(500_000) / 1_000_000).unwrap_or(u32::MAX)
    }

    /// `ifPromiscuousMode`: `IFF_PROMISC`.
    pub fn promiscuous(&self) -> bool {
        self.flags & IFF_PROMISC != 0
    }

    /// `ifConnectorPresent`: true for Ethernet-like interfaces, false for loopbacks and
    /// other software interfaces, as Net-SNMP answers.
    pub fn connector_present(&self) -> bool {
        self.if_type == IanaIfType::ETHERNET_CSMACD
    }
}

/// What changed on an interface's link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinkChange {
    /// The link went down: `linkDown` (IF-MIB, `1.3.6.1.6.3.1.1.5.3`).
    Down,
    /// The link came up: `linkUp` (IF-MIB, `1.3.6.1.6.3.1.1.5.4`).
    Up,
}

/// A `linkDown` or `linkUp` notification to send, with its varbind values (RFC 2863 §6:
/// `ifIndex`, `ifAdminStatus`, `ifOperStatus` of the interface, indexed by `if_index`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LinkEvent {
    /// Down or up.
    pub change: LinkChange,
    /// The interface's `ifIndex`, also the instance of the two status varbinds.
    pub if_index: u32,
    /// `ifAdminStatus` after the change.
    pub admin_status: AdminStatus,
    /// `ifOperStatus` after the change.
    pub oper_status: OperStatus,
}

/// The `linkDown`/`linkUp` events between two snapshots, in `ifIndex` order (RFC 2863 §6).
///
/// `linkDown` when `ifOperStatus` enters down (or lowerLayerDown) from another state
/// except notPresent; `linkUp` when it leaves down (or lowerLayerDown) for another state
/// except notPresent. Interfaces found in only one snapshot (created or removed) give no
/// event.
pub fn link_events(before: &[Interface], after: &[Interface]) -> Vec<LinkEvent> {
    let mut events: Vec<LinkEvent> = after
        .iter()
        .filter_map(|now| {
            let then = before.iter().find(|then| then.index == now.index)?;
            let (old, new) = (then.oper_status(), now.oper_status());
            let change = if !old.is_down() && old != OperStatus::NotPresent && new.is_down() {
                LinkChange::Down
            } else if old.is_down() && !new.is_down() && new != OperStatus::NotPresent {
                LinkChange::Up
            } else {
                return None;
            };
            Some(LinkEvent {
                change,
                if_index: now.index,
                admin_status: now.admin_status(),
                oper_status: new,
            })
        })
        .collect();
    events.sort_by_key(|event| event.if_index);
    events
}

/// Parses `/proc/net/dev`: one `(name, counters)` per interface line, in file order.
///
/// Header lines and lines that do not carry a name and sixteen numbers are skipped.
pub fn parse_net_dev(text: &str) -> Vec<(String, NetDevCounters)> {
    text.lines().filter_map(parse_net_dev_line).collect()
}

/// Reads every interface of the host, in `ifIndex` order.
///
/// The list of interfaces is `/proc/net/dev`; each one's attributes come from
/// `/sys/class/net/<name>/`. An interface whose `ifindex` cannot be read (it vanished
/// between the two reads) is left out.
pub fn read_interfaces(paths: &HostPaths) -> Vec<Interface> {
    let Some(net_dev) = paths.proc_text("net/dev") else {
        return Vec::new();
    };
    let class_net = paths.sys_root().join("class/net");
    let mut interfaces: Vec<Interface> = parse_net_dev(&net_dev)
        .into_iter()
        .filter_map(|(name, counters)| {
            let dir = class_net.join(&name);
            Interface::from_attributes(&name, counters, |attr| read_text(&dir.join(attr)))
        })
        .collect();
    interfaces.sort_by_key(|interface| interface.index);
    interfaces.dedup_by_key(|interface| interface.index);
    interfaces
}

/// One line of `/proc/net/dev`: `name: rx(8 fields) tx(8 fields)`.
fn parse_net_dev_line(line: &str) -> Option<(String, NetDevCounters)> {
    // Linux interface names cannot contain ':' or white space (`dev_valid_name`), so the
    // first ':' ends the name.
    let (name, rest) = line.split_once(':')?;
    let name = name.trim();
    // A name is also a directory under /sys/class/net: never a path (`dev_valid_name`
    // rejects these too).
    if name.is_empty()
        || name == "."
        || name == ".."
        || name.contains(|c: char| c.is_whitespace() || c == '|' || c == '/')
    {
        return None;
    }
    let mut fields = [0_u64; NET_DEV_FIELDS];
    let mut numbers = rest.split_whitespace();
    for field in &mut fields {
        *field = numbers.next()?.parse().ok()?;
    }
    let [
        rx_bytes,
        rx_packets,
        rx_errors,
        rx_dropped,
        _rx_fifo,
        _rx_frame,
        _rx_compressed,
        rx_multicast,
        tx_bytes,
        tx_packets,
        tx_errors,
        tx_dropped,
        ..,
    ] = fields;
    Some((
        name.to_owned(),
        NetDevCounters {
            rx_bytes,
            rx_packets,
            rx_errors,
            rx_dropped,
            rx_multicast,
            tx_bytes,
            tx_packets,
            tx_errors,
            tx_dropped,
        },
    ))
}

/// A sysfs number: decimal, or hexadecimal with `0x` (`flags`).
fn parse_number(text: &str) -> Option<u64> {
    let text = text.trim();
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// A hardware address `aa:bb:…`; empty when malformed or all zeros.
fn parse_mac(text: &str) -> Vec<u8> {
    let text = text.trim();
    if text.is_empty() {
        return Vec::new();
    }
    let bytes: Option<Vec<u8>> = text
        .split(':')
        .map(|octet| {
            if octet.len() == 2 {
                u8::from_str_radix(octet, 16).ok()
            } else {
                None
            }
        })
        .collect();
    match bytes {
        Some(bytes) if bytes.len() <= MAX_HW_ADDRESS && bytes.iter().any(|&b| b != 0) => bytes,
        _ => Vec::new(),
    }
}

/// The number of counter fields after the name in a `/proc/net/dev` line.
const NET_DEV_FIELDS: usize = 16;
/// `ifIndex` is `InterfaceIndex`, 1..2147483647 (RFC 2863).
const MAX_IF_INDEX: u32 = 0x7FFF_FFFF;
/// The longest hardware address Linux keeps (`MAX_ADDR_LEN`).
const MAX_HW_ADDRESS: usize = 32;
/// Net-SNMP's speed for a loopback that reports none.
const LOOPBACK_SPEED_BPS: u64 = 10_000_000;
/// `IFF_UP` (`linux/if.h`).
const IFF_UP: u32 = 0x1;
/// `IFF_PROMISC` (`linux/if.h`).
const IFF_PROMISC: u32 = 0x100;
/// `ARPHRD_*` hardware types (`linux/if_arp.h`).
const ARPHRD_ETHER: u32 = 1;
const ARPHRD_INFINIBAND: u32 = 32;
const ARPHRD_PPP: u32 = 512;
const ARPHRD_TUNNEL: u32 = 768;
const ARPHRD_TUNNEL6: u32 = 769;
const ARPHRD_LOOPBACK: u32 = 772;
const ARPHRD_SIT: u32 = 776;
const ARPHRD_IPGRE: u32 = 778;
const ARPHRD_IEEE80211: u32 = 801;

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::PathBuf;

    use super::*;

    fn fixtures() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/host")
    }

    fn fixture_paths() -> HostPaths {
        let root = fixtures();
        HostPaths::new(root.join("proc"), root.join("sys"), root.join("utmp"))
    }

    fn interface(index: u32, flags: u32, operstate: OperStatus) -> Interface {
        Interface {
            index,
            name: format!("eth{index}"),
            if_type: IanaIfType::ETHERNET_CSMACD,
            mtu: 1500,
            address: vec![2, 0, 0, 0, 0, 1],
            flags,
            operstate,
            speed_mbps: Some(1000),
            alias: String::new(),
            counters: NetDevCounters::default(),
        }
    }

    #[test]
    fn parses_captured_net_dev() {
        let text = std::fs::read_to_string(fixtures().join("proc/net/dev")).unwrap();
        let parsed = parse_net_dev(&text);
        let names: Vec<&str> = parsed.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["lo", "ifb0", "ifb1", "eth0"]);
        let eth0 = parsed[3].1;
        assert_eq!(eth0.rx_bytes, 91_190_865);
        assert_eq!(eth0.rx_packets, 6131);
        assert_eq!(eth0.tx_bytes, 525_028);
        assert_eq!(eth0.tx_packets, 3974);
    }

    #[test]
    fn net_dev_fields_land_in_their_counters() {
        let text = "  veth9: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n";
        let (name, c) = &parse_net_dev(text)[0];
        assert_eq!(name, "veth9");
        assert_eq!(
            *c,
            NetDevCounters {
                rx_bytes: 1,
                rx_packets: 2,
                rx_errors: 3,
                rx_dropped: 4,
                rx_multicast: 8,
                tx_bytes: 9,
                tx_packets: 10,
                tx_errors: 11,
                tx_dropped: 12,
            }
        );
        assert_eq!(c.rx_unicast(), 0);
    }

    #[test]
    fn net_dev_keeps_64_bit_counters() {
        let max = u64::MAX;
        let text = format!("eth0:{max} 1 0 0 0 0 0 0 4294967296 2 0 0 0 0 0 0\n");
        let (_, c) = &parse_net_dev(&text)[0];
        assert_eq!(c.rx_bytes, u64::MAX);
        assert_eq!(c.tx_bytes, 1 << 32);
    }

    #[test]
    fn net_dev_skips_garbage_lines() {
        let text = "Inter-|   Receive |  Transmit\n face |bytes packets\n\
                    eth0: 1 2 3\n\
                    : 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n\
                    eth1: 1 2 3 4 5 6 7 x 9 10 11 12 13 14 15 16\n\
                    eth2: -1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n\
                    eth3: 18446744073709551616 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n\
                    no colon at all\n\
                    ..: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n\
                    a/b: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n\
                    eth4:1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n";
        let names: Vec<String> = parse_net_dev(text).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["eth4"]);
        assert!(parse_net_dev("").is_empty());
    }

    #[test]
    fn reads_captured_host() {
        let interfaces = read_interfaces(&fixture_paths());
        let summary: Vec<(u32, &str, i32, u32)> = interfaces
            .iter()
            .map(|i| (i.index, i.name.as_str(), i.if_type.0, i.mtu))
            .collect();
        assert_eq!(
            summary,
            [
                (1, "lo", 24, 65_536),
                (2, "ifb0", 6, 1500),
                (3, "ifb1", 6, 1500),
                (4, "eth0", 6, 1400)
            ]
        );
        let lo = &interfaces[0];
        assert!(lo.address.is_empty());
        assert_eq!(lo.admin_status(), AdminStatus::Up);
        assert_eq!(lo.oper_status(), OperStatus::Up);
        assert_eq!(lo.if_speed(), 10_000_000);
        assert_eq!(lo.high_speed(), 10);
        assert!(!lo.connector_present());
        let ifb0 = &interfaces[1];
        assert_eq!(ifb0.address, [0x92, 0xc5, 0xc6, 0x20, 0x23, 0xea]);
        assert_eq!(ifb0.admin_status(), AdminStatus::Down);
        assert_eq!(ifb0.oper_status(), OperStatus::Down);
        assert_eq!(ifb0.if_speed(), 0);
        let eth0 = &interfaces[3];
        // `speed` says -1 on this virtual NIC: unknown, so 0 as Net-SNMP serves.
        assert_eq!(eth0.speed_mbps, None);
        assert_eq!(eth0.if_speed(), 0);
        assert_eq!(eth0.oper_status(), OperStatus::Up);
        assert!(eth0.connector_present());
        assert!(!eth0.promiscuous());
        assert_eq!(eth0.counters.rx_bytes, 91_190_865);
    }

    #[test]
    fn missing_files_give_no_interfaces() {
        let paths = HostPaths::new("/nonexistent/proc", "/nonexistent/sys", "/nonexistent");
        assert!(read_interfaces(&paths).is_empty());
    }

    #[test]
    fn attributes_edge_cases() {
        let attrs: HashMap<&str, &str> = [
            ("ifindex", "7\n"),
            ("type", "65534\n"),
            ("mtu", "garbage"),
            ("address", "zz:00\n"),
            ("flags", "0x1103\n"),
            ("operstate", "lowerlayerdown\n"),
            ("speed", "100000\n"),
            ("ifalias", "uplink to core\n"),
        ]
        .into_iter()
        .collect();
        let interface = Interface::from_attributes("wg0", NetDevCounters::default(), |a| {
            attrs.get(a).map(|v| (*v).to_owned())
        })
        .unwrap();
        assert_eq!(interface.if_type, IanaIfType::OTHER);
        assert_eq!(interface.mtu, 0);
        assert!(interface.address.is_empty());
        assert!(interface.promiscuous());
        assert_eq!(interface.oper_status(), OperStatus::LowerLayerDown);
        assert_eq!(interface.alias, "uplink to core");
        // 100 Gb/s does not fit ifSpeed: capped; ifHighSpeed carries it.
        assert_eq!(interface.if_speed(), u32::MAX);
        assert_eq!(interface.high_speed(), 100_000);
        // No ifindex, or an out-of-range one: no row.
        assert!(Interface::from_attributes("x", NetDevCounters::default(), |_| None).is_none());
        for bad in ["0", "-3", "2147483648", "many"] {
            let row = Interface::from_attributes("x", NetDevCounters::default(), |a| {
                (a == "ifindex").then(|| bad.to_owned())
            });
            assert!(row.is_none(), "{bad}");
        }
    }

    #[test]
    fn operstate_parsing() {
        assert_eq!(OperStatus::parse("up\n"), OperStatus::Up);
        assert_eq!(OperStatus::parse("dormant"), OperStatus::Dormant);
        assert_eq!(OperStatus::parse("notpresent"), OperStatus::NotPresent);
        assert_eq!(OperStatus::parse("testing"), OperStatus::Testing);
        assert_eq!(OperStatus::parse("weird"), OperStatus::Unknown);
        let down_unknown = interface(1, 0, OperStatus::Unknown);
        assert_eq!(down_unknown.oper_status(), OperStatus::Down);
    }

    #[test]
    fn arphrd_mapping() {
        assert_eq!(IanaIfType::from_arphrd(1), IanaIfType::ETHERNET_CSMACD);
        assert_eq!(IanaIfType::from_arphrd(772), IanaIfType::SOFTWARE_LOOPBACK);
        assert_eq!(IanaIfType::from_arphrd(512), IanaIfType::PPP);
        assert_eq!(IanaIfType::from_arphrd(776), IanaIfType::TUNNEL);
        assert_eq!(IanaIfType::from_arphrd(801), IanaIfType::IEEE80211);
        assert_eq!(IanaIfType::from_arphrd(9999), IanaIfType::OTHER);
    }

    #[test]
    fn link_down_and_up_events() {
        let before = vec![
            interface(1, IFF_UP, OperStatus::Up),
            interface(2, IFF_UP, OperStatus::Down),
            interface(3, IFF_UP, OperStatus::Up),
            interface(4, IFF_UP, OperStatus::NotPresent),
            interface(5, IFF_UP, OperStatus::Up),
        ];
        let after = vec![
            interface(5, IFF_UP, OperStatus::Up),
            interface(3, 0, OperStatus::Down),
            interface(2, IFF_UP, OperStatus::Up),
            interface(1, IFF_UP, OperStatus::LowerLayerDown),
            interface(4, IFF_UP, OperStatus::Down),
            interface(6, IFF_UP, OperStatus::Down),
        ];
        let events = link_events(&before, &after);
        assert_eq!(
            events,
            [
                LinkEvent {
                    change: LinkChange::Down,
                    if_index: 1,
                    admin_status: AdminStatus::Up,
                    oper_status: OperStatus::LowerLayerDown,
                },
                LinkEvent {
                    change: LinkChange::Up,
                    if_index: 2,
                    admin_status: AdminStatus::Up,
                    oper_status: OperStatus::Up,
                },
                LinkEvent {
                    change: LinkChange::Down,
                    if_index: 3,
                    admin_status: AdminStatus::Down,
                    oper_status: OperStatus::Down,
                },
            ]
        );
        assert!(link_events(&after, &after).is_empty());
    }

    #[test]
    fn mac_parsing() {
        assert_eq!(parse_mac("02:fc:00:00:00:01\n"), [2, 0xfc, 0, 0, 0, 1]);
        assert!(parse_mac("00:00:00:00:00:00").is_empty());
        assert!(parse_mac("").is_empty());
        assert!(parse_mac("2:fc").is_empty());
        assert_eq!(parse_number("0x1003"), Some(0x1003));
        assert_eq!(parse_number(" 42\n"), Some(42));
        assert_eq!(parse_number("0xzz"), None);
    }
}
