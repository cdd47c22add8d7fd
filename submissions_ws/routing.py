from django.urls import re_path

from submissions_ws.consumers import SubmissionConsumer
from submissions_ws.user_consumer import UserNotificationConsumer

# The id is matched loosely and validated by the consumer, so malformed ids
# get the same refusal as foreign ones instead of a bare 404 handshake.
websocket_urlpatterns = [
    re_path(r"^ws/submissions/(?P<pk>[^/]*)/$", SubmissionConsumer.as_asgi()),
    # One per page anywhere in the site: the signed-in person's status notifications.
    re_path(r"^ws/notifications/$", UserNotificationConsumer.as_asgi()),
]
