"""A stock-Channels baseline: the classic pattern the project is measured against.

One `AsyncWebsocketConsumer` per socket, one group per submission joined in
`connect`, JSON encoded per socket in the group handler, and a sender that
calls `async_to_sync(channel_layer.group_send)` from sync code. It has its
own tiny settings and database (auth and sessions only), so it owes nothing
to the project's code.
"""
