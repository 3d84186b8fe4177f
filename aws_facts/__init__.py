"""Facts about AWS that golive relies on: regions, service limits, AWS-owned ids.

A leaf package: it imports nothing of golive, so the components that build resources, the config
model that checks them and the offline plan's mocks that answer like AWS all read one copy.
Each fact names its source; when AWS changes one, it changes here only.
"""
