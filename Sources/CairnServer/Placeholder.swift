enum _PlaceholderCairnServer {}
