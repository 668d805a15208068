//! Fixtures: a scriptable fake agent (the real `snmpd` comes from `vigie_interop`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use tokio::net::UdpSocket;
use vigie_net::Session;
use vigie_snmp::{
    AnyPdu, CommunityMessage, ErrorStatus, Message, Oid, Pdu, PduKind, VarBind, Version,
};

/// A fake agent on `127.0.0.1`: for each datagram it decodes, `behaviour` returns the
/// datagrams to send back (any bytes at all).
pub(crate) struct FakeAgent {
    pub(crate) address: SocketAddr,
    received: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl FakeAgent {
    pub(crate) async fn start(
        behaviour: impl Fn(&CommunityMessage) -> Vec<Bytes> + Send + 'static,
    ) -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0")
            .await
            .expect("a loopback socket");
        let address = socket.local_addr().expect("its address");
        let received = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&received);
        let task = tokio::spawn(async move {
            let mut buffer = vec![0_u8; 65_535];
            loop {
                let Ok((length, from)) = socket.recv_from(&mut buffer).await else {
                    return;
                };
                counter.fetch_add(1, Ordering::SeqCst);
                let datagram = Bytes::copy_from_slice(&buffer[..length]);
                let Ok(Message::Community(message)) = Message::decode(datagram) else {
                    continue;
                };
                for reply in behaviour(&message) {
                    let _ = socket.send_to(&reply, from).await;
                }
            }
        });
        Self {
            address,
            received,
            task,
        }
    }

    /// A fake agent that never answers.
    pub(crate) async fn silent() -> Self {
        Self::start(|_| Vec::new()).await
    }

    pub(crate) fn received(&self) -> usize {
        self.received.load(Ordering::SeqCst)
    }

    pub(crate) fn session(&self, version: Version) -> Session {
        let mut session = Session::new(self.address, version, "public");
        session.timeout = Duration::from_millis(100);
        session.retries = 1;
        session
    }
}

impl Drop for FakeAgent {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The request's PDU, for the `PDU`-shaped requests, with GetBulk read as GetNext's shape.
pub(crate) fn request_varbinds(
    message: &CommunityMessage,
) -> (vigie_snmp::RequestId, Vec<VarBind>) {
    match &message.pdu {
        AnyPdu::Pdu(pdu) => (pdu.request_id, pdu.varbinds.clone()),
        AnyPdu::Bulk(bulk) => (bulk.request_id, bulk.varbinds.clone()),
        AnyPdu::TrapV1(_) => panic!("the client sent a trap"),
    }
}

/// The encoded Response to `request` carrying `varbinds` and `error_status`.
pub(crate) fn response(
    request: &CommunityMessage,
    error_status: ErrorStatus,
    varbinds: Vec<VarBind>,
) -> Bytes {
    let (request_id, _) = request_varbinds(request);
    let message = Message::Community(CommunityMessage {
        version: request.version,
        community: request.community.clone(),
        pdu: AnyPdu::Pdu(Pdu {
            kind: PduKind::Response,
            request_id,
            error_status,
            error_index: 0,
            varbinds,
        }),
    });
    Bytes::from(message.to_vec())
}

pub(crate) fn oid(text: &str) -> Oid {
    text.parse().expect("a valid OID in the test")
}
