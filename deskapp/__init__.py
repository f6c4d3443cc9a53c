"""deskapp: the terminal front desk of an office tower's customer service department."""

__version__ = "0.1.0"
