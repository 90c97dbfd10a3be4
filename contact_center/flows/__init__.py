"""IVR flows at the edge: YAML loading and validation, the flow registry, CRM look-ups, the simulator."""
