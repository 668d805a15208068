//! `-d`: each datagram dumped to stderr as Net-SNMP 5.9.3 dumps it (`snmp_api.c`'s
//! "Sending N bytes to …" and "Received N byte packet from …", then `xdump`).

use std::fmt::Write as _;
use std::io::Write as _;
use std::net::SocketAddr;

use vigie_net::{Direction, Packet};

/// Writes `packet`'s dump to stderr.
pub(crate) fn to_stderr(packet: &Packet<'_>) {
    // A dump that cannot be written must not stop the request.
    let _ = std::io::stderr()
        .lock()
        .write_all(render(packet).as_bytes());
}

/// The dump of one datagram: an empty line, the header, the hex lines and an empty line.
fn render(packet: &Packet<'_>) -> String {
    let transport = format!(
        "{}: {}->{}",
        if packet.peer.is_ipv4() {
            "UDP"
        } else {
            "UDP/IPv6"
        },
        bracketed(packet.peer),
        bracketed(unspecified(packet.local)),
    );
    let length = packet.datagram.len();
    let mut text = match packet.direction {
        Direction::Sent => format!("\nSending {length} bytes to {transport}\n"),
        Direction::Received => format!("\nReceived {length} byte packet from {transport}\n"),
    };
    xdump(&mut text, packet.datagram);
    text
}

/// `[address]:port`, as Net-SNMP's UDP transports format addresses.
fn bracketed(address: SocketAddr) -> String {
    format!("[{}]:{}", address.ip(), address.port())
}

/// The local side as Net-SNMP shows it: the unspecified address and the bound port.
fn unspecified(local: SocketAddr) -> SocketAddr {
    match local {
        SocketAddr::V4(_) => SocketAddr::from(([0, 0, 0, 0], local.port())),
        SocketAddr::V6(_) => SocketAddr::from(([0_u16; 8], local.port())),
    }
}

/// Net-SNMP's `xdump`: 16 octets a line, the decimal offset, the octets in hex in groups of
/// four, the printable ones at column 60, then an empty line.
fn xdump(text: &mut String, bytes: &[u8]) {
    for (line, chunk) in bytes.chunks(16).enumerate() {
        let start = text.len();
        let _ = write!(text, "{:04}: ", line * 16);
        for column in 0..16 {
            match chunk.get(column) {
                Some(byte) => {
                    let _ = write!(text, "{byte:02X} ");
                }
                None => text.push_str("   "),
            }
            if column % 4 == 3 {
                text.push(' ');
            }
        }
        text.push_str("  ");
        debug_assert_eq!(text.len() - start, 60);
        text.extend(chunk.iter().map(|&byte| {
            if byte == b' ' || byte.is_ascii_graphic() {
                char::from(byte)
            } else {
                '.'
            }
        }));
        text.push('\n');
    }
    text.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `snmpget -d -v2c -c public 127.0.0.1:24617 .1.3.6.1.2.1.1.5.0` (Net-SNMP 5.9.3): the
    /// request and the response, as it printed them.
    #[test]
    fn matches_net_snmp_byte_for_byte() {
        let request = [
            0x30, 0x29, 0x02, 0x01, 0x01, 0x04, 0x06, 0x70, 0x75, 0x62, 0x6C, 0x69, 0x63, 0xA0,
            0x1C, 0x02, 0x04, 0x2A, 0x11, 0xE4, 0x13, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30,
            0x0E, 0x30, 0x0C, 0x06, 0x08, 0x2B, 0x06, 0x01, 0x02, 0x01, 0x01, 0x05, 0x00, 0x05,
            0x00,
        ];
        let peer: SocketAddr = "127.0.0.1:24617".parse().expect("an address");
        let local: SocketAddr = "0.0.0.0:44884".parse().expect("an address");
        let sent = render(&Packet {
            direction: Direction::Sent,
            peer,
            local,
            datagram: &request,
        });
        assert_eq!(
            sent,
            "\nSending 43 bytes to UDP: [127.0.0.1]:24617->[0.0.0.0]:44884\n\
             0000: 30 29 02 01  01 04 06 70  75 62 6C 69  63 A0 1C 02    0).....public...\n\
             0016: 04 2A 11 E4  13 02 01 00  02 01 00 30  0E 30 0C 06    .*.........0.0..\n\
             0032: 08 2B 06 01  02 01 01 05  00 05 00                    .+.........\n\n"
        );
        let response = [
            0x30, 0x2B, 0x02, 0x01, 0x01, 0x04, 0x06, 0x70, 0x75, 0x62, 0x6C, 0x69, 0x63, 0xA2,
            0x1E, 0x02, 0x04, 0x2A, 0x11, 0xE4, 0x13, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30,
            0x10, 0x30, 0x0E, 0x06, 0x08, 0x2B, 0x06, 0x01, 0x02, 0x01, 0x01, 0x05, 0x00, 0x04,
            0x02, 0x76, 0x6D,
        ];
        let received = render(&Packet {
            direction: Direction::Received,
            peer,
            local,
            datagram: &response,
        });
        assert_eq!(
            received,
            "\nReceived 45 byte packet from UDP: [127.0.0.1]:24617->[0.0.0.0]:44884\n\
             0000: 30 2B 02 01  01 04 06 70  75 62 6C 69  63 A2 1E 02    0+.....public...\n\
             0016: 04 2A 11 E4  13 02 01 00  02 01 00 30  10 30 0E 06    .*.........0.0..\n\
             0032: 08 2B 06 01  02 01 01 05  00 04 02 76  6D             .+.........vm\n\n"
        );
    }

    #[test]
    fn ipv6_and_exact_lines() {
        let peer: SocketAddr = "[::1]:161".parse().expect("an address");
        let local: SocketAddr = "[::]:5000".parse().expect("an address");
        let datagram: Vec<u8> = (0..32).collect();
        let text = render(&Packet {
            direction: Direction::Sent,
            peer,
            local,
            datagram: &datagram,
        });
        assert!(text.starts_with("\nSending 32 bytes to UDP/IPv6: [::1]:161->[::]:5000\n"));
        assert!(text.ends_with("................\n\n"));
        assert_eq!(text.lines().count(), 5);
    }
}
