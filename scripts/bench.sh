#!/usr/bin/env bash
# facteur's benchmark figures, each beside its anchor measured in the same run:
#   - messages/s into `facteur serve` vs Postfix's smtp-sink (smtp-source load,
#     one connection per message), in memory and with --store;
#   - messages/s through `facteur proxy` vs direct to the same `facteur serve`
#     (every line explained on the way; goal ≥ 0.8×);
#   - --store vs a real Postfix delivering into a Maildir;
#   - 1,000 concurrent connections until all are greeted, and the server's RSS;
#   - the TUI: keystroke → frame latency and bytes per typed character, the
#     explanation engine per key, and opening a 100,000-line transcript (vs
#     Python's json.load of the same file).
# Needs root (it installs Postfix if missing and configures the local one to
# listen on 127.0.0.1:2602 only). Usage: scripts/bench.sh   (N=2000 SIZE=1024 SESS=10)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-2000}
SIZE=${SIZE:-1024}
SESS=${SESS:-10}
CONNS=${CONNS:-1000}
RUNS=${RUNS:-7}
WORK=$(mktemp -d /tmp/facteur-bench.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null || true; done
  postfix stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

if ! command -v smtp-source >/dev/null; then
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >/dev/null
fi
ulimit -n 65536 2>/dev/null || true
cargo build --release -q
cargo build --release -q --example bare_proxy
BIN=target/release/facteur

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# msgs/s of one smtp-source run against a port
load() {
  local t0 t1
  t0=$(now)
  smtp-source -s "$SESS" -l "$SIZE" -m "$N" -f fred@free.fr -t marc@wanadoo.fr "127.0.0.1:$1"
  t1=$(now)
  echo "$N / ($t1 - $t0)" | bc -l
}
wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

# --- anchors: smtp-sink ----------------------------------------------------
smtp-sink -u nobody 127.0.0.1:2600 1024 & PIDS+=($!)
wait_port 2600
# smtp-sink stalls past a few hundred simultaneous connections: its anchor is taken at 200.
SINK_GREET=$(for _ in $(seq "$RUNS"); do timeout 30 python3 scripts/greet.py 127.0.0.1 2600 200 | cut -d' ' -f1; done | median)

# --- facteur serve, in memory ---------------------------------------------
start_facteur() {
  "$BIN" serve --smtp 127.0.0.1:"$1" --pop3 127.0.0.1:"$2" --max-connections 5000 "${@:3}" 2>/dev/null &
  FPID=$!
  PIDS+=($FPID)
  wait_port "$1"
}
start_facteur 2601 2611
"$BIN" proxy --listen 127.0.0.1:2641 --to 127.0.0.1:2601 --max-connections 5000 2>/dev/null & PIDS+=($!)
wait_port 2641
# The floor: a bare relay (examples/bare_proxy.rs) in front of the same serve.
target/release/examples/bare_proxy 127.0.0.1:2651 127.0.0.1:2601 & PIDS+=($!)
wait_port 2651
# Interleaved, so that all see the same noise from the machine.
: > "$WORK/sink" ; : > "$WORK/mem" ; : > "$WORK/proxy" ; : > "$WORK/bare"
for _ in $(seq "$RUNS"); do load 2600 >> "$WORK/sink"; load 2601 >> "$WORK/mem"; load 2641 >> "$WORK/proxy"; load 2651 >> "$WORK/bare"; done
SINK=$(median < "$WORK/sink")
MEM=$(median < "$WORK/mem")
PROXY=$(median < "$WORK/proxy")
BARE=$(median < "$WORK/bare")
# Per-line latency the proxy adds (NOOP round trips, one connection each way).
LAT=$(python3 scripts/proxy_latency.py 2601 2641 | tail -1)
GREET_LINE=$(timeout 30 python3 scripts/greet.py 127.0.0.1 2601 "$CONNS")
FGREET=$(for _ in $(seq "$RUNS"); do timeout 30 python3 scripts/greet.py 127.0.0.1 2601 "$CONNS" | cut -d' ' -f1; done | median)
FGREET200=$(for _ in $(seq "$RUNS"); do timeout 30 python3 scripts/greet.py 127.0.0.1 2601 200 | cut -d' ' -f1; done | median)
RSS=$(awk '/VmHWM/ {print $2}' /proc/$FPID/status)
STORED=$(curl -sS pop3://127.0.0.1:2611/ -u marc:marcpass | wc -l)
kill "$FPID"

# --- facteur serve --store --------------------------------------------------
start_facteur 2621 2631 --store "$WORK/store"
STORE=$(for _ in $(seq "$RUNS"); do load 2621; done | median)
ONDISK=$(find "$WORK/store" -path '*/new/*' -type f -o -path '*/cur/*' -type f | wc -l)
kill "$FPID"

# --- Postfix delivering into a Maildir ------------------------------------
id marc >/dev/null 2>&1 || useradd -m marc
cat > /etc/postfix/main.cf <<CF
# written by facteur's scripts/bench.sh
compatibility_level = 3.6
myhostname = smtp.wanadoo.fr
mydestination = wanadoo.fr
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
home_mailbox = Maildir/
mynetworks = 127.0.0.0/8
smtpd_recipient_restrictions = permit_mynetworks, reject
alias_maps =
alias_database =
local_recipient_maps =
CF
sed -i 's/^smtp      inet/#smtp      inet/; s/^#\?127.0.0.1:2602 .*//' /etc/postfix/master.cf
echo "127.0.0.1:2602 inet  n       -       y       -       -       smtpd" >> /etc/postfix/master.cf
newaliases 2>/dev/null || true
postfix start >/dev/null 2>&1 || postfix reload >/dev/null 2>&1
wait_port 2602
POSTFIX=$(for _ in $(seq "$RUNS"); do
  rm -rf ~marc/Maildir
  t0=$(now)
  smtp-source -s "$SESS" -l "$SIZE" -m "$N" -f fred@free.fr -t marc@wanadoo.fr 127.0.0.1:2602
  for _ in $(seq 6000); do [ "$(ls ~marc/Maildir/new 2>/dev/null | wc -l)" -ge "$N" ] && break; sleep 0.01; done
  t1=$(now)
  echo "$N / ($t1 - $t0)" | bc -l
done | median)
postfix stop >/dev/null 2>&1 || true

# --- the TUI and the explanation engine -------------------------------------
EXPLAIN=$(cargo bench -q --bench explain_keystroke 2>/dev/null | tail -1)
TUI_ALL=$(cargo bench -q --bench tui_keystroke 2>/dev/null)
TUI=$(echo "$TUI_ALL" | grep '120x40')
TUI80=$(echo "$TUI_ALL" | grep '80x24')
TUI_BYTES=$(echo "$TUI_ALL" | grep 'bytes to the terminal')
OPEN=$(FACTEUR_BENCH_FILE="$WORK/100k.json" cargo bench -q --bench transcript_open 2>/dev/null | tail -1)
PYLOAD=$(for _ in 1 2 3; do python3 -c 'import json,sys,time; t=time.time(); json.load(open(sys.argv[1])); print(time.time()-t)' "$WORK/100k.json"; done | median)
field() { echo "$1" | grep -o "$2 [0-9.]*" | head -1 | awk '{print $NF}'; }
KEY_MED=$(field "$TUI" "median"); KEY_P99=$(field "$TUI" "p99")
KEY_ANCHOR=$(echo "$TUI" | grep -o 'same screen: median [0-9.]*' | awk '{print $NF}')
KEY80_MED=$(field "$TUI80" "median"); KEY80_P99=$(field "$TUI80" "p99")
KEY80_ANCHOR=$(echo "$TUI80" | grep -o 'same screen: median [0-9.]*' | awk '{print $NF}')
BYTES=$(echo "$TUI_BYTES" | grep -o 'character: median [0-9]*' | awk '{print $NF}')
EXPL=$(field "$EXPLAIN" "median")
OPEN_S=$(field "$OPEN" "median")

printf '\nfacteur benchmark — %s — %s, %s cores\n' "$(date -u +%Y-%m-%d)" "$(uname -m)" "$(nproc)"
printf '%s messages of %s octets, %s parallel sessions, one connection per message (smtp-source)\n\n' "$N" "$SIZE" "$SESS"
printf '%-44s %12s %12s %8s\n' "measure" "facteur" "anchor" "ratio"
printf '%-44s %12.0f %12.0f %8.2f\n' "msg/s in memory vs smtp-sink" "$MEM" "$SINK" "$(echo "$MEM / $SINK" | bc -l)"
printf '%-44s %12.0f %12.0f %8.2f\n' "msg/s through facteur proxy vs direct" "$PROXY" "$MEM" "$(echo "$PROXY / $MEM" | bc -l)"
printf '%-44s %12.0f %12.0f %8.2f\n' "msg/s through a bare relay vs direct" "$BARE" "$MEM" "$(echo "$BARE / $MEM" | bc -l)"
printf '%-44s %12.0f %12.0f %8.2f\n' "msg/s through facteur proxy vs bare relay" "$PROXY" "$BARE" "$(echo "$PROXY / $BARE" | bc -l)"
echo "proxy, $LAT (goal p99 <= 1 ms)"
printf '%-44s %12.0f %12.0f %8.2f\n' "msg/s --store vs Postfix Maildir delivery" "$STORE" "$POSTFIX" "$(echo "$STORE / $POSTFIX" | bc -l)"
printf '%-44s %12.3f %12.3f\n' "s until 200 connections greeted (vs sink)" "$FGREET200" "$SINK_GREET"
printf '%-44s %12.3f %12s\n' "s until $CONNS connections greeted (goal 0.2)" "$FGREET" "-"
printf '%-44s %12s\n' "peak RSS of facteur serve (MB)" "$(echo "$RSS / 1024" | bc)"
printf '%-44s %12s\n' "messages stored (memory run, via POP3 LIST)" "$STORED"
printf '%-44s %12s\n' "messages on disk (--store run)" "$ONDISK"
printf '%-44s %12s %12s\n' "key → frame 120x40, median ms (vs ratatui)" "$KEY_MED" "$KEY_ANCHOR"
printf '%-44s %12s %12s\n' "key → frame 120x40, p99 ms (goal 1)" "$KEY_P99" "-"
printf '%-44s %12s %12s\n' "key → frame 80x24, median ms (vs ratatui)" "$KEY80_MED" "$KEY80_ANCHOR"
printf '%-44s %12s %12s\n' "key → frame 80x24, p99 ms (goal 1)" "$KEY80_P99" "-"
printf '%-44s %12s %12s\n' "bytes to the terminal per key (goal 200)" "$BYTES" "-"
printf '%-44s %12s %12s\n' "explain one key, median µs (goal 50)" "$EXPL" "-"
printf '%-44s %12s %12.3f\n' "open 100k-line transcript, s (vs json.load)" "$OPEN_S" "$PYLOAD"
echo "first greeting run: $GREET_LINE (seconds, connections greeted)"
echo "$TUI_ALL"
echo "$OPEN"
