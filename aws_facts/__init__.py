"""Facts about AWS that golive relies on: regions, service limits, AWS-owned ids.

A leaf package: it imports nothing of golive, so the components that build resources, the config
model that checks them and the offline plan's mocks that answer like AWS all read one copy.
Each fact names its source; when AWS changes one, it changes here only. The few names golive
itself writes on AWS resources for another layer to read (the ECS service tags the controls
judge) live here too, for the same reason: one copy both layers may import.
"""
