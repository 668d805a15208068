//! `vigie bulkget` and `vigie bulkwalk` against `snmpbulkget` and `snmpbulkwalk`.

use vigie_interop::PASS_SUBTREE;

use crate::{SYSTEM, TARGET, agent_case, agent_case_masked, pass};

cases!(agent_case {
    /// One non-repeater and five repetitions of the pass subtree.
    bulkget_one_non_repeater_five_repetitions: Snmpbulkget [
        "-v2c", "-c", "public", "-Cn1", "-Cr5", TARGET, ".1.3.6.1.2.1.1.1", PASS_SUBTREE,
    ];
    /// Two repeaters interleave in the response.
    bulkget_two_repeaters: Snmpbulkget [
        "-v2c", "-c", "public", "-Cn0", "-Cr4", TARGET, PASS_SUBTREE, &pass(10),
    ];
    bulkwalk_pass_subtree: Snmpbulkwalk ["-v2c", "-c", "public", TARGET, PASS_SUBTREE];
    /// Few repetitions per request: the walk needs several round trips.
    bulkwalk_pass_subtree_small_steps: Snmpbulkwalk [
        "-v2c", "-c", "public", "-Cr3", TARGET, PASS_SUBTREE,
    ];
    /// No repetitions asked: only the non-repeaters are answered (here none).
    bulkget_zero_repetitions: Snmpbulkget [
        "-v2c", "-c", "public", "-Cn0", "-Cr0", TARGET, PASS_SUBTREE,
    ];
    /// More non-repeaters than OIDs is a usage error in Net-SNMP ("need more objects than
    /// <nonrep>"), not a request.
    bulkget_more_non_repeaters_than_oids: Snmpbulkget [
        "-v2c", "-c", "public", "-Cn3", "-Cr2", TARGET, &pass(1), &pass(2),
    ];
    /// Enough repetitions to run past the end of the subtree in one request.
    bulkwalk_pass_subtree_one_big_step: Snmpbulkwalk [
        "-v2c", "-c", "public", "-Cn0", "-Cr50", TARGET, PASS_SUBTREE,
    ];
});

cases!(agent_case_masked {
    bulkwalk_system: Snmpbulkwalk ["-v2c", "-c", "public", TARGET, SYSTEM];
});
