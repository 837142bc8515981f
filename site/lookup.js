// "Which permission do I need?" page (written in a later change).
