"""Generic OpenStack connector (Keystone v3, Nova, Cinder, Neutron) and its presets."""
