"""The ``crmlab`` command: one entry point where each CRM Lab package registers its subcommands.

See :mod:`crmlab.cli`.
"""
