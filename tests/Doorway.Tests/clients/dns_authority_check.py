"""Checks Doorway's authoritative door with dnspython (a DNS library Doorway did not write).

usage: dns_authority_check.py HOST PORT
Prints one "ok NAME" line per check and "all N checks passed"; exits 1 at the first failure.
"""
import sys

import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype

host, port = sys.argv[1], int(sys.argv[2])
passed = 0


def ask(name, rdtype, tcp=False, payload=None, want_rd=False):
    q = dns.message.make_query(name, rdtype, use_edns=payload is not None, payload=payload or 512)
    if not want_rd:
        q.flags &= ~dns.flags.RD
    if tcp:
        return dns.query.tcp(q, host, port=port, timeout=5)
    return dns.query.udp(q, host, port=port, timeout=5, ignore_trailing=False)


def check(name, condition, detail=""):
    global passed
    if not condition:
        print(f"FAILED {name}: {detail}")
        sys.exit(1)
    passed += 1
    print(f"ok {name}")


def rrset(m, section, name, rdtype):
    for r in getattr(m, section):
        if r.name == dns.name.from_text(name) and r.rdtype == rdtype:
            return r
    return None


# Every record type: an authoritative answer with the zone's data.
expected = {
    ("www.example.test.", "A"): {"192.0.2.80"},
    ("www.example.test.", "AAAA"): {"2001:db8::80"},
    ("example.test.", "NS"): {"ns.example.test."},
    ("example.test.", "MX"): {"10 mail.example.test."},
    ("example.test.", "TXT"): {'"v=spf1 mx -all"'},
    ("example.test.", "CAA"): {'0 issue "ca.example.test"'},
    ("example.test.", "SOA"): {"ns.example.test. hostmaster.example.test. 1 7200 900 1209600 300"},
    ("ftp.example.test.", "CNAME"): {"www.example.test."},
    ("80.2.0.192.example.test.", "PTR"): {"www.example.test."},
    ("_http._tcp.example.test.", "SRV"): {"0 5 80 www.example.test."},
    ("motd.example.test.", "TXT"): {'"Hello" "with \\"quotes\\"; and a semicolon"'},
}
for (name, t), values in expected.items():
    for tcp in (False, True):
        m = ask(name, t, tcp=tcp, payload=1232)
        r = rrset(m, "answer", name, dns.rdatatype.from_text(t))
        got = {x.to_text() for x in r} if r else set()
        check(f"{t} {name} {'tcp' if tcp else 'udp'}", m.rcode() == dns.rcode.NOERROR and m.flags & dns.flags.AA and got == values, f"{m}")

# The MX answer brings the exchange's address; the NS answer the server's.
m = ask("example.test.", "MX", payload=1232)
check("MX additional address", rrset(m, "additional", "mail.example.test.", dns.rdatatype.A) is not None, f"{m}")

# A chain of two CNAMEs inside the zone, then the address.
m = ask("files.example.test.", "A", payload=1232)
names = [(r.name.to_text(), dns.rdatatype.to_text(r.rdtype)) for r in m.answer]
check("CNAME chain", names == [("files.example.test.", "CNAME"), ("ftp.example.test.", "CNAME"), ("www.example.test.", "A")], f"{names}")

# A CNAME out of the zone: the CNAME alone, for the resolver to follow.
m = ask("away.example.test.", "A")
check("CNAME out of zone", m.rcode() == dns.rcode.NOERROR and len(m.answer) == 1 and m.answer[0].rdtype == dns.rdatatype.CNAME, f"{m}")

# A CNAME to a missing name: NXDOMAIN (RFC 6604), the CNAME kept, the SOA in authority.
m = ask("dangling.example.test.", "A")
check("CNAME to nothing", m.rcode() == dns.rcode.NXDOMAIN and len(m.answer) == 1 and rrset(m, "authority", "example.test.", dns.rdatatype.SOA), f"{m}")

# NXDOMAIN and NODATA carry the SOA with TTL min(SOA TTL, minimum) (RFC 2308 §3).
m = ask("nope.example.test.", "A")
soa = rrset(m, "authority", "example.test.", dns.rdatatype.SOA)
check("NXDOMAIN", m.rcode() == dns.rcode.NXDOMAIN and m.flags & dns.flags.AA and not m.answer and soa is not None and soa.ttl == 300, f"{m}")
m = ask("www.example.test.", "MX")
soa = rrset(m, "authority", "example.test.", dns.rdatatype.SOA)
check("NODATA", m.rcode() == dns.rcode.NOERROR and m.flags & dns.flags.AA and not m.answer and soa is not None and soa.ttl == 300, f"{m}")
m = ask("b.deep.example.test.", "A")
check("empty non-terminal is NODATA", m.rcode() == dns.rcode.NOERROR and not m.answer and m.authority, f"{m}")

# A referral: no AA, the child's NS in authority, glue in additional.
m = ask("www.sub.example.test.", "A")
ns = rrset(m, "authority", "sub.example.test.", dns.rdatatype.NS)
glue = rrset(m, "additional", "ns.sub.example.test.", dns.rdatatype.A)
check("referral", m.rcode() == dns.rcode.NOERROR and not (m.flags & dns.flags.AA) and not m.answer and ns is not None and glue is not None
      and {x.to_text() for x in glue} == {"192.0.2.53"}, f"{m}")

# Outside every zone: REFUSED, not authoritative.
m = ask("www.example.org.", "A")
check("REFUSED outside the zones", m.rcode() == dns.rcode.REFUSED and not (m.flags & dns.flags.AA), f"{m}")

# 0x20: the question and the answer's owner keep the client's letters.
m = ask("wWw.ExAmPlE.tEsT.", "A")
check("0x20 question", m.question[0].name.to_text() == "wWw.ExAmPlE.tEsT.", m.question[0].name.to_text())
check("0x20 answer", m.answer[0].name.to_text() == "wWw.ExAmPlE.tEsT.", m.answer[0].name.to_text())

# RD is copied; RA is not set (not a resolver).
m = ask("www.example.test.", "A", want_rd=True)
check("RD copied, no RA", m.flags & dns.flags.RD and not m.flags & dns.flags.RA, f"{m}")

# EDNS: the OPT comes back; sizes decide truncation of the 20-record TXT set (about 1.4 KB).
m = ask("big.example.test.", "TXT")
check("no EDNS: TC at 512", m.flags & dns.flags.TC and not m.answer and m.edns < 0, f"{m}")
m = ask("big.example.test.", "TXT", payload=1232)
check("EDNS 1232: TC", m.flags & dns.flags.TC and m.edns == 0, f"{m}")
m = ask("big.example.test.", "TXT", payload=4096)
check("EDNS 4096: whole over UDP", not m.flags & dns.flags.TC and len(m.answer[0]) == 20 and m.edns == 0 and m.payload == 1232, f"{m}")
m = ask("big.example.test.", "TXT", tcp=True)
check("TCP: whole", not m.flags & dns.flags.TC and len(m.answer[0]) == 20, f"{m}")
m = ask("big.example.test.", "TXT", payload=100)
check("EDNS size under 512 counts as 512", m.flags & dns.flags.TC, f"{m}")

# An unknown EDNS version: BADVERS (RFC 6891 §6.1.3).
q = dns.message.make_query("www.example.test.", "A")
q.use_edns(edns=1)
check("query is EDNS version 1", q.edns == 1, f"{q.edns}")
m = dns.query.udp(q, host, port=port, timeout=5)
check("BADVERS", m.rcode() == dns.rcode.BADVERS, f"{m}")

# Several queries on one TCP connection (RFC 7766 §6.2.1).
import socket
with socket.create_connection((host, port), timeout=5) as s:
    for i in range(3):
        q = dns.message.make_query("www.example.test.", "A")
        dns.query.send_tcp(s, q)
        r, _ = dns.query.receive_tcp(s, expiration=None)
        check(f"TCP query {i + 1} on one connection", r.id == q.id and r.answer, f"{r}")

print(f"all {passed} checks passed")
