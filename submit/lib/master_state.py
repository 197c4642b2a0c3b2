"""Reads the JSON page of a Spark standalone Master (http://HOST:UI-PORT/json/) from stdin and prints one fact of it.

Usage: python3 master_state.py alive-workers | applications | drivers

  alive-workers  how many Workers are ALIVE
  applications   how many applications the Master has seen (running and completed)
  drivers        one line per driver of cluster deploy mode: "active|completed DRIVER-ID STATE"

submit/lib/cluster-daemons.sh calls it (Python 3.9 or later, the standard library only). Exits 2 on wrong usage
and 1 when stdin is not the Master's JSON.
"""
import json
import sys


def facts(state: dict, fact: str) -> list[str]:
    if fact == "alive-workers":
        return [str(state.get("aliveworkers", 0))]
    if fact == "applications":
        return [str(len(state.get("activeapps", [])) + len(state.get("completedapps", [])))]
    return [f"{section} {driver['id']} {driver['state']}"
            for section in ("active", "completed")
            for driver in state.get(section + "drivers", [])]


def main(args: list[str]) -> int:
    if len(args) != 1 or args[0] not in ("alive-workers", "applications", "drivers"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        state = json.load(sys.stdin)
    except json.JSONDecodeError as error:
        print(f"master_state.py: not the Master's JSON page: {error}", file=sys.stderr)
        return 1
    for line in facts(state, args[0]):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
