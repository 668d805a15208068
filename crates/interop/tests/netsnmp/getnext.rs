//! `vigie getnext` against `snmpgetnext`.

use vigie_interop::PASS_SUBTREE;

use crate::{PAST_THE_END, SYS_DESCR_0, SYSTEM, TARGET, agent_case, pass};

cases!(agent_case {
    v2c_several_oids: Snmpgetnext [
        "-v2c", "-c", "public", TARGET, SYSTEM, SYS_DESCR_0, PASS_SUBTREE, &pass(9),
    ];
    v1_several_oids: Snmpgetnext [
        "-v1", "-c", "public", TARGET, SYS_DESCR_0, PASS_SUBTREE, &pass(16),
    ];
    /// Past the last object: endOfMibView in v2c.
    v2c_end_of_mib_view: Snmpgetnext ["-v2c", "-c", "public", TARGET, PAST_THE_END, SYS_DESCR_0];
    /// Past the last object: noSuchName in v1.
    v1_no_such_name_past_the_end: Snmpgetnext ["-v1", "-c", "public", TARGET, PAST_THE_END];
    /// v1 getnext skips the Counter64 object (RFC 3584 §4.2.2.1.2): 4.0 is followed by 6.0.
    v1_skips_counter64: Snmpgetnext ["-v1", "-c", "public", TARGET, &pass(4)];
});
