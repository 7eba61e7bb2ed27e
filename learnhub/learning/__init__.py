"""Learning flows that span stores: enrollment, progress, quiz attempts."""
