"""The handout's route over real TCP with Python's own clients: Fred sends
to Marc through `facteur serve` (smtplib, each AUTH mechanism), Marc reads
it (poplib). Prints one JSON line of findings for the Rust test to check."""
import json
import poplib
import smtplib
import sys

smtp_port, pop_port = int(sys.argv[1]), int(sys.argv[2])
found = {}

for mech in ("PLAIN", "LOGIN", "CRAM-MD5"):
    s = smtplib.SMTP("127.0.0.1", smtp_port, local_hostname="fred-pc.free.fr")
    s.ehlo()
    found.setdefault("auth", s.esmtp_features.get("auth", "").strip())
    s.user, s.password = "fred@free.fr", "fredpass"
    method = {"PLAIN": s.auth_plain, "LOGIN": s.auth_login, "CRAM-MD5": s.auth_cram_md5}[mech]
    code, _ = s.auth(mech, method)
    found["auth_" + mech] = code
    refused = s.sendmail(
        "fred@free.fr",
        ["marc@wanadoo.fr"],
        "From: Fred <fred@free.fr>\r\nTo: Marc <marc@wanadoo.fr>\r\n"
        "Subject: Essai " + mech + "\r\n\r\nBonjour Marc,\r\n.point\r\n",
    )
    found.setdefault("refused", []).append(refused)
    s.quit()

# A stranger may not relay to the outside world.
s = smtplib.SMTP("127.0.0.1", smtp_port)
try:
    s.sendmail("x@example.org", ["someone@example.net"], "Subject: relay?\r\n\r\nx\r\n")
    found["relay"] = "accepted"
except smtplib.SMTPRecipientsRefused as e:
    found["relay"] = e.recipients["someone@example.net"][0]
s.quit()

p = poplib.POP3("127.0.0.1", pop_port)
found["greeting"] = p.getwelcome().decode()
p.user("marc@wanadoo.fr")
p.pass_("marcpass")
found["stat"] = p.stat()
resp, lines, octets = p.retr(1)
found["message"] = b"\r\n".join(lines).decode()
found["uidl"] = [l.decode() for l in p.uidl()[1]]
p.dele(1)
p.quit()

p = poplib.POP3("127.0.0.1", pop_port)
p.user("marc")
p.pass_("marcpass")
found["stat_after_dele_quit"] = p.stat()
found["uidl_after"] = [l.decode() for l in p.uidl()[1]]
p.quit()
print(json.dumps(found))
