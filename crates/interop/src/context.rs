//! An `SNMPv3` user allowed in every context, for the tests of contexts (proxies, `AgentX`
//! subagents and communities mapped to a context).

/// The `[[user]]` table of `vigie agent` for that user: `ctxuser`, SHA authentication,
/// read-only, with no context of its own (so every context).
pub const CONTEXT_USER: &str = "[[user]]\nname = \"ctxuser\"\nauth = \"SHA\"\n\
                                auth_password = \"context-secret\"\naccess = \"ro\"\n";

/// The arguments of Net-SNMP's tools for that user in `context`: numeric OIDs, a 2-second
/// timeout, no retry.
pub fn context_user_args(context: &str) -> Vec<&str> {
    vec![
        "-v3",
        "-u",
        "ctxuser",
        "-l",
        "authNoPriv",
        "-a",
        "SHA",
        "-A",
        "context-secret",
        "-n",
        context,
        "-On",
        "-t",
        "2",
        "-r",
        "0",
    ]
}
