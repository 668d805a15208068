"""Walks an SNMP agent with pysnmp's GETBULK walk and prints one line per varbind:
the numeric OID, a tab, the value's type name.

    python3 pysnmp_walk.py HOST PORT v2c COMMUNITY
    python3 pysnmp_walk.py HOST PORT v3 USER AUTH_PASSWORD PRIV_PASSWORD   (SHA-256, AES-128)

A manager independent of Net-SNMP and of vigie, for the agent's interop tests.
"""

import asyncio
import sys

from pysnmp.hlapi.v3arch.asyncio import (
    CommunityData,
    ContextData,
    ObjectIdentity,
    ObjectType,
    SnmpEngine,
    UdpTransportTarget,
    UsmUserData,
    bulk_walk_cmd,
    usmAesCfb128Protocol,
    usmHMAC192SHA256AuthProtocol,
)


async def main():
    host, port, version = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if version == "v2c":
        credentials = CommunityData(sys.argv[4], mpModel=1)
    else:
        credentials = UsmUserData(
            sys.argv[4],
            authKey=sys.argv[5],
            privKey=sys.argv[6],
            authProtocol=usmHMAC192SHA256AuthProtocol,
            privProtocol=usmAesCfb128Protocol,
        )
    engine = SnmpEngine()
    target = await UdpTransportTarget.create((host, port), timeout=2, retries=1)
    walk = bulk_walk_cmd(
        engine,
        credentials,
        target,
        ContextData(),
        0,
        25,
        ObjectType(ObjectIdentity("1.3")),
        lexicographicMode=False,
        lookupMib=False,
    )
    async for indication, status, index, varbinds in walk:
        if indication:
            print(f"error: {indication}", file=sys.stderr)
            sys.exit(1)
        if status:
            print(f"error: {status.prettyPrint()} at {index}", file=sys.stderr)
            sys.exit(1)
        for name, value in varbinds:
            print(f"{name.prettyPrint()}\t{type(value).__name__}")
    engine.close_dispatcher()


asyncio.run(main())
