"""Agent-based simulation of the customer relationship lifecycle (Mesa)."""
