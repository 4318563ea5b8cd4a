enum _PlaceholderCairnTracking {}
