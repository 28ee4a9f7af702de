"""Questions: /spend, /top, /resources, /recs, /budget, /forecast, /anomalies, /chart and free
text, answered through `core.services.ask.service` and drawn by `renderers.messages.answers*`."""
