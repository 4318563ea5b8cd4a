enum _PlaceholderCairnStorage {}
