#!/bin/sh
# Before the campaign: check the sender, clean the list, and only then send. Run it by hand, from
# the campaign tool's pre-send hook, or from cron an hour before a scheduled send. Replace the
# domain, IPs, selector and resolver with yours; send-campaign is your own sending step.
# Exit codes: 0 sent; 6 sender problems (held); 3 something could not be checked (held, look
# at preflight.json); anything else is the failing step's own code.
set -u
cd /var/lib/listscrub || exit 1

listscrub preflight --domain example.com --mail-from bounce@mg.example.com \
  --ip 203.0.113.5 --helo mta1.example.com --selector s1 --bulk \
  --dns 10.0.0.53 --json > out/preflight.json
code=$?
if [ "$code" -ne 0 ]; then
  echo "preflight exit $code: campaign held; see out/preflight.json" >&2
  exit "$code"
fi

listscrub clean --config job.json || exit $?
exec /usr/local/bin/send-campaign out/subscribers.clean.csv
