"""The people register: members, characteristics, consent, import and export."""
