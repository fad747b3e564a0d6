"""The coordinators' admin — being written by the lead engineer."""
