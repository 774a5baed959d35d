"""``python -m incident_rules``: the ``incident-rules`` command line."""

from incident_rules._cli import main

if __name__ == "__main__":
    main(prog_name="incident-rules")
