#!/usr/bin/env bash
# The IOM Council's election of its Director General, 15 May 2023, held with the `tabella`
# tool alone: every role a separate process, each with its own sealed secret file.
#
#   bash examples/cli-demo.sh            # builds the tool (release), runs in a fresh directory
#   DEMO_DIR=/tmp/iom bash examples/cli-demo.sh   # keeps the files there
#
# Five trustees (any three decrypt), 171 eligible members with a credential each, 165 present:
# round 1 needs two thirds of those present and voting (110): Pope 98, Vitorino 67, nobody
# elected; Vitorino withdraws; Pope is elected by acclamation. The record is exported and
# verified. Exits non-zero on the first step that fails.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release -p tabella-cli --quiet
tabella="$PWD/target/release/tabella"
if [[ -n "${CARGO_TARGET_DIR:-}" ]]; then tabella="$CARGO_TARGET_DIR/release/tabella"; fi

dir="${DEMO_DIR:-$(mktemp -d)}"
mkdir -p "$dir"
cd "$dir"
rm -rf -- board.db* credentials ballots ./*.key ./*.state record.json manifest.json
start=$(date +%s.%N)
step() { printf '\n== %s\n' "$*"; }

# Each party has its own passphrase file (a real party types it at a prompt instead).
pass() { printf '%s\n' "demo passphrase of $1 (not a real secret)" > "$1.pass"; chmod 600 "$1.pass"; }
as() { local who=$1; shift; "$tabella" --passphrase-file "$who.pass" "$@"; }

step "keys: the administrator, five trustees and the credential authority"
pass admin; pass authority
admin_key=$(as admin --json keygen --role administrator --out admin.key | sed -E 's/.*"public_key":"([0-9a-f]+)".*/\1/')
ca_key=$(as authority --json keygen --role credential-authority --out authority.key | sed -E 's/.*"public_key":"([0-9a-f]+)".*/\1/')
trustee_keys=()
for i in 1 2 3 4 5; do
  pass "trustee-$i"
  trustee_keys+=("$(as "trustee-$i" --json keygen --role trustee --index "$i" --out "trustee-$i.key" \
    | sed -E 's/.*"public_key":"([0-9a-f]+)".*/\1/')")
done
echo "administrator $admin_key"
echo "credential authority $ca_key"

step "the manifest (docs/SPEC.md §10.2) and the board"
trustees_json=$(printf '"%s",' "${trustee_keys[@]}")
cat > manifest.json <<EOF
{ "title": "IOM Council: election of the Director General, 15 May 2023",
  "members": 175, "eligible": 171,
  "candidates": ["Amy E. Pope", "António Vitorino"],
  "rules": [ {"from_round": 1, "at_least": [2, 3], "of": "present_and_voting"} ],
  "eliminate_lowest_after": [], "tie_for_lowest": "no_elimination", "quorum": null,
  "threshold": 3, "trustees": 5, "privacy_floor": 5,
  "roll": {"second_ballot": "refused"},
  "authorities": { "administrator": "$admin_key", "trustees": [${trustees_json%,}],
                   "credential_authority": "$ca_key" } }
EOF
as admin admin create --board board.db --key admin.key --manifest manifest.json

step "the credential authority: 171 credentials, the roll on the board"
as authority credentials issue --board board.db --key authority.key --out-dir credentials

step "the key ceremony: each trustee a separate process, its state sealed in its own file"
as admin admin ceremony --board board.db --key admin.key
for i in 1 2 3 4 5; do
  as "trustee-$i" trustee init --board board.db --index "$i" --key "trustee-$i.key" --state "trustee-$i.state"
done
for round in 1 2 3; do
  for i in 1 2 3 4 5; do
    as "trustee-$i" trustee step --board board.db --index "$i" --state "trustee-$i.state"
  done
done
as admin admin keys --board board.db --key admin.key
for i in 1 2 3 4 5; do
  as "trustee-$i" trustee step --board board.db --index "$i" --state "trustee-$i.state"
done

step "round 1: 165 members present, each encrypts and signs its ballot on its own device"
as admin admin open --board board.db --key admin.key
mkdir -p ballots
credentials=(credentials/*)
for m in $(seq 1 165); do
  if (( m <= 98 )); then choice="Amy E. Pope"; else choice="António Vitorino"; fi
  "$tabella" voter encrypt --board board.db --credential "${credentials[m-1]}" \
    --choice "$choice" --out "ballots/$m.ballot" --no-opening > /dev/null
done
echo "165 ballots encrypted"
# One member checks its device: it challenges a ballot (the opening shows its choice), and
# then makes a fresh one to cast.
pass member-1
as member-1 voter encrypt --board board.db --credential "${credentials[0]}" --choice "Amy E. Pope" \
  --out challenged.ballot --opening challenged.opening
as member-1 voter challenge --board board.db --ballot challenged.ballot --opening challenged.opening \
  --out challenged.bin
"$tabella" box challenge --board board.db challenged.bin

step "the ballot box: every ballot verified, appended, acknowledged with its code"
"$tabella" box cast --board board.db ballots/*.ballot | tail -n 3
as admin admin close --board board.db --key admin.key

step "decryption: three trustees, each replaying the board itself"
for i in 1 3 5; do
  as "trustee-$i" trustee decrypt --board board.db --index "$i" --state "trustee-$i.state"
done
as admin admin result --board board.db --key admin.key

step "round 2: Vitorino withdraws; Pope is elected by acclamation"
as admin admin withdraw --board board.db --key admin.key "António Vitorino"
as admin admin acclaim --board board.db --key admin.key
"$tabella" status --board board.db

step "anyone: export the record and verify it"
"$tabella" admin export --board board.db --out record.json
"$tabella" verify record.json | tail -n 4
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v d="$dir" 'BEGIN { printf "\ndemo finished in %.1f s (files in %s)\n", e - s, d }'
