//! No agent: every tool times out with Net-SNMP's message and exit status.

use vigie_interop::PASS_SUBTREE;

use crate::{SYS_DESCR_0, TARGET, silent_case};

cases!(silent_case {
    get_v1: Snmpget ["-v1", "-c", "public", "-t", "0.2", "-r", "0", TARGET, SYS_DESCR_0];
    get: Snmpget ["-v2c", "-c", "public", "-t", "0.2", "-r", "0", TARGET, SYS_DESCR_0];
    getnext: Snmpgetnext ["-v2c", "-c", "public", "-t", "0.2", "-r", "0", TARGET, SYS_DESCR_0];
    bulkget: Snmpbulkget ["-v2c", "-c", "public", "-t", "0.2", "-r", "0", TARGET, PASS_SUBTREE];
    walk: Snmpwalk ["-v2c", "-c", "public", "-t", "0.2", "-r", "0", TARGET, PASS_SUBTREE];
    bulkwalk: Snmpbulkwalk ["-v2c", "-c", "public", "-t", "0.2", "-r", "0", TARGET, PASS_SUBTREE];
    set: Snmpset [
        "-v2c", "-c", "private", "-t", "0.2", "-r", "0", TARGET, SYS_DESCR_0, "s", "x",
    ];
    /// One retry doubles the wait but not the message.
    get_with_one_retry: Snmpget [
        "-v2c", "-c", "public", "-t", "0.2", "-r", "1", TARGET, SYS_DESCR_0,
    ];
});
