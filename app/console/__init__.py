"""The admin console at ``/admin``: server-rendered pages over the rule cache and the rule store."""
