"""STARTTLS, SMTPS, STLS and POP3S against `facteur serve`, with Python's
ssl module trusting the server's self-signed certificate."""
import json
import poplib
import smtplib
import ssl
import sys

smtp, pop, smtps, pop3s, cert = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
ctx = ssl.create_default_context(cafile=cert)
found = {}

s = smtplib.SMTP("localhost", smtp)
s.ehlo("pc")
found["starttls_offered"] = s.has_extn("starttls")
found["starttls"] = s.starttls(context=ctx)[0]
s.ehlo("pc")
found["starttls_after"] = s.has_extn("starttls")
s.login("fred", "fredpass")
s.sendmail("fred@free.fr", ["marc@wanadoo.fr"], "Subject: starttls\r\n\r\nx\r\n")
s.quit()

s = smtplib.SMTP_SSL("localhost", smtps, context=ctx)
s.login("fred@free.fr", "fredpass")
s.sendmail("fred@free.fr", ["marc@wanadoo.fr"], "Subject: smtps\r\n\r\nx\r\n")
s.quit()

p = poplib.POP3("localhost", pop)
found["capa_stls"] = "STLS" in p.capa()
found["stls"] = p.stls(context=ctx).decode()
p.user("marc")
p.pass_("marcpass")
found["count"] = p.stat()[0]
found["received"] = [l.decode() for l in p.retr(1)[1] if l.startswith(b"\tby ")]
p.quit()

p = poplib.POP3_SSL("localhost", pop3s, context=ctx)
p.user("marc")
p.pass_("marcpass")
found["count_pop3s"] = p.stat()[0]
p.quit()
print(json.dumps(found))
