{
	"patcher": {
		"fileversion": 1,
		"appversion": {
			"major": 8,
			"minor": 6,
			"revision": 0,
			"architecture": "x64",
			"modernui": 1
		},
		"classnamespace": "box",
		"rect": [
			60,
			80,
			1180,
			720
		],
		"openrect": [
			0,
			0,
			458,
			169
		],
		"openinpresentation": 1,
		"default_fontsize": 10,
		"default_fontface": 0,
		"default_fontname": "Arial Bold",
		"gridonopen": 1,
		"gridsize": [
			8,
			8
		],
		"gridsnaponopen": 1,
		"objectsnaponopen": 1,
		"statusbarvisible": 2,
		"toolbarvisible": 1,
		"devicewidth": 458,
		"description": "SentGen: nine semantic knobs (tonic, octave, scale, rhythms, arpeggios) that edit the first 2 bars of the selected MIDI clip through the sentgen engine (OSC, 127.0.0.1:9000).",
		"digest": "Semantic knobs for 2-bar MIDI clips",
		"tags": "sentgen",
		"style": "",
		"subpatcher_template": "",
		"boxes": [
			{
				"box": {
					"id": "obj-1",
					"maxclass": "newobj",
					"text": "midiin",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						"int"
					],
					"patching_rect": [
						20,
						20,
						47.2,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-2",
					"maxclass": "newobj",
					"text": "midiout",
					"numinlets": 1,
					"numoutlets": 0,
					"outlettype": [],
					"patching_rect": [
						20,
						60,
						53.4,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-3",
					"maxclass": "comment",
					"text": "MIDI passes through unchanged",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						80,
						40,
						180,
						20
					]
				}
			},
			{
				"box": {
					"id": "obj-4",
					"maxclass": "newobj",
					"text": "js sentgen_device.js",
					"numinlets": 1,
					"numoutlets": 5,
					"outlettype": [
						"",
						"",
						"",
						"",
						""
					],
					"patching_rect": [
						420,
						470,
						134,
						22
					],
					"saved_object_attributes": {
						"filename": "sentgen_device.js",
						"parameter_enable": 0
					}
				}
			},
			{
				"box": {
					"id": "obj-5",
					"maxclass": "newobj",
					"text": "route tonic octave scale rhythm_bar1 rhythm_bar2 arp_chord1 arp_chord2 arp_chord3 arp_chord4",
					"numinlets": 2,
					"numoutlets": 10,
					"outlettype": [
						"",
						"",
						"",
						"",
						"",
						"",
						"",
						"",
						"",
						""
					],
					"patching_rect": [
						420,
						540,
						580.4,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-6",
					"maxclass": "live.dial",
					"varname": "tonic",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						"float"
					],
					"parameter_enable": 1,
					"annotation": "Tonic: the key's root note (C..B).",
					"annotation_name": "Tonic",
					"showname": 1,
					"shownumber": 1,
					"fontsize": 9,
					"patching_rect": [
						20,
						120,
						48,
						50
					],
					"presentation": 1,
					"presentation_rect": [
						4,
						2,
						48,
						50
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "tonic",
							"parameter_shortname": "Tonic",
							"parameter_type": 2,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_enum": [
								"C",
								"C#",
								"D",
								"D#",
								"E",
								"F",
								"F#",
								"G",
								"G#",
								"A",
								"A#",
								"B"
							],
							"parameter_mmax": 11,
							"parameter_steps": 12,
							"parameter_modmode": 0
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-7",
					"maxclass": "newobj",
					"text": "prepend attr tonic",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						20,
						190,
						121.60000000000001,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-8",
					"maxclass": "newobj",
					"text": "prepend set",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						20,
						600,
						78.2,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-9",
					"maxclass": "live.dial",
					"varname": "octave",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						"float"
					],
					"parameter_enable": 1,
					"annotation": "Octave: the register of the melody (4, 5 or 6).",
					"annotation_name": "Octave",
					"showname": 1,
					"shownumber": 1,
					"fontsize": 9,
					"patching_rect": [
						140,
						120,
						48,
						50
					],
					"presentation": 1,
					"presentation_rect": [
						54,
						2,
						48,
						50
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "octave",
							"parameter_shortname": "Octave",
							"parameter_type": 2,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_enum": [
								"4",
								"5",
								"6"
							],
							"parameter_mmax": 2,
							"parameter_steps": 3,
							"parameter_modmode": 0
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-10",
					"maxclass": "newobj",
					"text": "prepend attr octave",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						140,
						190,
						127.8,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-11",
					"maxclass": "newobj",
					"text": "prepend set",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						140,
						600,
						78.2,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-12",
					"maxclass": "live.dial",
					"varname": "scale",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						"float"
					],
					"parameter_enable": 1,
					"annotation": "Scale: major, minor or blues.",
					"annotation_name": "Scale",
					"showname": 1,
					"shownumber": 1,
					"fontsize": 9,
					"patching_rect": [
						260,
						120,
						48,
						50
					],
					"presentation": 1,
					"presentation_rect": [
						104,
						2,
						48,
						50
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "scale",
							"parameter_shortname": "Scale",
							"parameter_type": 2,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_enum": [
								"major",
								"minor",
								"blues"
							],
							"parameter_mmax": 2,
							"parameter_steps": 3,
							"parameter_modmode": 0
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-13",
					"maxclass": "newobj",
					"text": "prepend attr scale",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						260,
						190,
						121.60000000000001,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-14",
					"maxclass": "newobj",
					"text": "prepend set",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						260,
						600,
						78.2,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-15",
					"maxclass": "live.dial",
					"varname": "rhythm_bar1",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						"float"
					],
					"parameter_enable": 1,
					"annotation": "Rhythm 1: which 6 of the 8 eighth-note slots of bar 1 start a note.",
					"annotation_name": "Rhythm 1",
					"showname": 1,
					"shownumber": 1,
					"fontsize": 9,
					"patching_rect": [
						380,
						120,
						48,
						50
					],
					"presentation": 1,
					"presentation_rect": [
						154,
						2,
						48,
						50
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "rhythm_bar1",
							"parameter_shortname": "Rhythm 1",
							"parameter_type": 2,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_enum": [
								"11111100",
								"11111010",
								"11111001",
								"11110110",
								"11110101",
								"11110011",
								"11101110",
								"11101101",
								"11101011",
								"11100111",
								"11011110",
								"11011101",
								"11011011",
								"11010111",
								"11001111",
								"10111110",
								"10111101",
								"10111011",
								"10110111",
								"10101111",
								"10011111",
								"01111110",
								"01111101",
								"01111011",
								"01110111",
								"01101111",
								"01011111",
								"00111111"
							],
							"parameter_mmax": 27,
							"parameter_steps": 28,
							"parameter_modmode": 0
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-16",
					"maxclass": "newobj",
					"text": "prepend attr rhythm_bar1",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						380,
						190,
						158.8,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-17",
					"maxclass": "newobj",
					"text": "prepend set",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						380,
						600,
						78.2,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-18",
					"maxclass": "live.dial",
					"varname": "rhythm_bar2",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						"float"
					],
					"parameter_enable": 1,
					"annotation": "Rhythm 2: which 6 of the 8 eighth-note slots of bar 2 start a note.",
					"annotation_name": "Rhythm 2",
					"showname": 1,
					"shownumber": 1,
					"fontsize": 9,
					"patching_rect": [
						500,
						120,
						48,
						50
					],
					"presentation": 1,
					"presentation_rect": [
						204,
						2,
						48,
						50
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "rhythm_bar2",
							"parameter_shortname": "Rhythm 2",
							"parameter_type": 2,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_enum": [
								"11111100",
								"11111010",
								"11111001",
								"11110110",
								"11110101",
								"11110011",
								"11101110",
								"11101101",
								"11101011",
								"11100111",
								"11011110",
								"11011101",
								"11011011",
								"11010111",
								"11001111",
								"10111110",
								"10111101",
								"10111011",
								"10110111",
								"10101111",
								"10011111",
								"01111110",
								"01111101",
								"01111011",
								"01110111",
								"01101111",
								"01011111",
								"00111111"
							],
							"parameter_mmax": 27,
							"parameter_steps": 28,
							"parameter_modmode": 0
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-19",
					"maxclass": "newobj",
					"text": "prepend attr rhythm_bar2",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						500,
						190,
						158.8,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-20",
					"maxclass": "newobj",
					"text": "prepend set",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						500,
						600,
						78.2,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-21",
					"maxclass": "live.dial",
					"varname": "arp_chord1",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						"float"
					],
					"parameter_enable": 1,
					"annotation": "Arp 1: first chord's arpeggio goes up or down.",
					"annotation_name": "Arp 1",
					"showname": 1,
					"shownumber": 1,
					"fontsize": 9,
					"patching_rect": [
						620,
						120,
						48,
						50
					],
					"presentation": 1,
					"presentation_rect": [
						254,
						2,
						48,
						50
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "arp_chord1",
							"parameter_shortname": "Arp 1",
							"parameter_type": 2,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_enum": [
								"up",
								"down"
							],
							"parameter_mmax": 1,
							"parameter_steps": 2,
							"parameter_modmode": 0
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-22",
					"maxclass": "newobj",
					"text": "prepend attr arp_chord1",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						620,
						190,
						152.6,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-23",
					"maxclass": "newobj",
					"text": "prepend set",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						620,
						600,
						78.2,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-24",
					"maxclass": "live.dial",
					"varname": "arp_chord2",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						"float"
					],
					"parameter_enable": 1,
					"annotation": "Arp 2: second chord's arpeggio goes up or down.",
					"annotation_name": "Arp 2",
					"showname": 1,
					"shownumber": 1,
					"fontsize": 9,
					"patching_rect": [
						740,
						120,
						48,
						50
					],
					"presentation": 1,
					"presentation_rect": [
						304,
						2,
						48,
						50
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "arp_chord2",
							"parameter_shortname": "Arp 2",
							"parameter_type": 2,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_enum": [
								"up",
								"down"
							],
							"parameter_mmax": 1,
							"parameter_steps": 2,
							"parameter_modmode": 0
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-25",
					"maxclass": "newobj",
					"text": "prepend attr arp_chord2",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						740,
						190,
						152.6,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-26",
					"maxclass": "newobj",
					"text": "prepend set",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						740,
						600,
						78.2,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-27",
					"maxclass": "live.dial",
					"varname": "arp_chord3",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						"float"
					],
					"parameter_enable": 1,
					"annotation": "Arp 3: third chord's arpeggio goes up or down.",
					"annotation_name": "Arp 3",
					"showname": 1,
					"shownumber": 1,
					"fontsize": 9,
					"patching_rect": [
						860,
						120,
						48,
						50
					],
					"presentation": 1,
					"presentation_rect": [
						354,
						2,
						48,
						50
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "arp_chord3",
							"parameter_shortname": "Arp 3",
							"parameter_type": 2,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_enum": [
								"up",
								"down"
							],
							"parameter_mmax": 1,
							"parameter_steps": 2,
							"parameter_modmode": 0
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-28",
					"maxclass": "newobj",
					"text": "prepend attr arp_chord3",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						860,
						190,
						152.6,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-29",
					"maxclass": "newobj",
					"text": "prepend set",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						860,
						600,
						78.2,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-30",
					"maxclass": "live.dial",
					"varname": "arp_chord4",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						"float"
					],
					"parameter_enable": 1,
					"annotation": "Arp 4: fourth chord's arpeggio goes up or down.",
					"annotation_name": "Arp 4",
					"showname": 1,
					"shownumber": 1,
					"fontsize": 9,
					"patching_rect": [
						980,
						120,
						48,
						50
					],
					"presentation": 1,
					"presentation_rect": [
						404,
						2,
						48,
						50
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "arp_chord4",
							"parameter_shortname": "Arp 4",
							"parameter_type": 2,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_enum": [
								"up",
								"down"
							],
							"parameter_mmax": 1,
							"parameter_steps": 2,
							"parameter_modmode": 0
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-31",
					"maxclass": "newobj",
					"text": "prepend attr arp_chord4",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						980,
						190,
						152.6,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-32",
					"maxclass": "newobj",
					"text": "prepend set",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						980,
						600,
						78.2,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-33",
					"maxclass": "live.text",
					"varname": "getclip",
					"text": "Read",
					"texton": "Read",
					"mode": 0,
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						""
					],
					"parameter_enable": 1,
					"annotation": "Load the selected clip (its first 2 bars) into the engine, e.g. after editing notes by hand.",
					"annotation_name": "Read",
					"patching_rect": [
						20,
						240,
						40,
						16
					],
					"presentation": 1,
					"presentation_rect": [
						4,
						56,
						40,
						16
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "sentgen getclip",
							"parameter_shortname": "Read",
							"parameter_type": 2,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_enum": [
								"off",
								"on"
							],
							"parameter_mmax": 1,
							"parameter_invisible": 2
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-34",
					"maxclass": "message",
					"text": "getclip",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						20,
						270,
						57.4,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-35",
					"maxclass": "live.text",
					"varname": "random",
					"text": "Random",
					"texton": "Random",
					"mode": 0,
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						""
					],
					"parameter_enable": 1,
					"annotation": "Ask the model for a new clip and write it into the selected clip.",
					"annotation_name": "Random",
					"patching_rect": [
						120,
						240,
						48,
						16
					],
					"presentation": 1,
					"presentation_rect": [
						48,
						56,
						48,
						16
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "sentgen random",
							"parameter_shortname": "Random",
							"parameter_type": 2,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_enum": [
								"off",
								"on"
							],
							"parameter_mmax": 1,
							"parameter_invisible": 2
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-36",
					"maxclass": "message",
					"text": "random",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						120,
						270,
						51.2,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-37",
					"maxclass": "live.text",
					"varname": "undo",
					"text": "Undo",
					"texton": "Undo",
					"mode": 0,
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						""
					],
					"parameter_enable": 1,
					"annotation": "Step back in the engine's edit history.",
					"annotation_name": "Undo",
					"patching_rect": [
						220,
						240,
						40,
						16
					],
					"presentation": 1,
					"presentation_rect": [
						100,
						56,
						40,
						16
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "sentgen undo",
							"parameter_shortname": "Undo",
							"parameter_type": 2,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_enum": [
								"off",
								"on"
							],
							"parameter_mmax": 1,
							"parameter_invisible": 2
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-38",
					"maxclass": "message",
					"text": "undo",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						220,
						270,
						38.8,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-39",
					"maxclass": "live.text",
					"varname": "redo",
					"text": "Redo",
					"texton": "Redo",
					"mode": 0,
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						""
					],
					"parameter_enable": 1,
					"annotation": "Step forward in the engine's edit history.",
					"annotation_name": "Redo",
					"patching_rect": [
						320,
						240,
						40,
						16
					],
					"presentation": 1,
					"presentation_rect": [
						144,
						56,
						40,
						16
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "sentgen redo",
							"parameter_shortname": "Redo",
							"parameter_type": 2,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_enum": [
								"off",
								"on"
							],
							"parameter_mmax": 1,
							"parameter_invisible": 2
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-40",
					"maxclass": "message",
					"text": "redo",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						320,
						270,
						38.8,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-41",
					"maxclass": "comment",
					"text": "Engine",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						440,
						240,
						44,
						18
					],
					"presentation": 1,
					"presentation_rect": [
						190,
						56,
						38,
						16
					]
				}
			},
			{
				"box": {
					"id": "obj-42",
					"maxclass": "textedit",
					"varname": "host",
					"text": "127.0.0.1",
					"lines": 1,
					"fontsize": 9,
					"numinlets": 1,
					"numoutlets": 4,
					"outlettype": [
						"",
						"int",
						"",
						""
					],
					"keymode": 1,
					"wordwrap": 0,
					"annotation": "Address of the machine running `sentgen serve` (press Return).",
					"annotation_name": "Engine host",
					"patching_rect": [
						490,
						240,
						80,
						18
					],
					"presentation": 1,
					"presentation_rect": [
						228,
						56,
						76,
						16
					]
				}
			},
			{
				"box": {
					"id": "obj-43",
					"maxclass": "newobj",
					"text": "prepend sethost",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						490,
						280,
						103,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-44",
					"maxclass": "live.numbox",
					"varname": "port",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						"float"
					],
					"parameter_enable": 1,
					"fontsize": 9,
					"annotation": "UDP port the engine listens on (sentgen serve --port).",
					"annotation_name": "Engine port",
					"patching_rect": [
						600,
						240,
						48,
						16
					],
					"presentation": 1,
					"presentation_rect": [
						306,
						56,
						44,
						16
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "sentgen engine port",
							"parameter_shortname": "Port",
							"parameter_type": 0,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								9000
							],
							"parameter_mmin": 1,
							"parameter_mmax": 65535,
							"parameter_invisible": 1,
							"parameter_unitstyle": 0,
							"parameter_steps": 65535
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-45",
					"maxclass": "newobj",
					"text": "prepend setport",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						600,
						280,
						103,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-46",
					"maxclass": "comment",
					"text": "Reply",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						660,
						240,
						40,
						18
					],
					"presentation": 1,
					"presentation_rect": [
						354,
						56,
						32,
						16
					]
				}
			},
			{
				"box": {
					"id": "obj-47",
					"maxclass": "live.numbox",
					"varname": "replyport",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						"float"
					],
					"parameter_enable": 1,
					"fontsize": 9,
					"annotation": "UDP port this device listens on for the engine's answers (one per device).",
					"annotation_name": "Reply port",
					"patching_rect": [
						700,
						240,
						48,
						16
					],
					"presentation": 1,
					"presentation_rect": [
						388,
						56,
						44,
						16
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "sentgen reply port",
							"parameter_shortname": "Reply",
							"parameter_type": 0,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								9001
							],
							"parameter_mmin": 1,
							"parameter_mmax": 65535,
							"parameter_invisible": 1,
							"parameter_unitstyle": 0,
							"parameter_steps": 65535
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-48",
					"maxclass": "newobj",
					"text": "prepend setreplyport",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						700,
						280,
						134,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-49",
					"maxclass": "comment",
					"text": "Token",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						760,
						240,
						40,
						18
					],
					"presentation": 1,
					"presentation_rect": [
						306,
						76,
						36,
						16
					]
				}
			},
			{
				"box": {
					"id": "obj-50",
					"maxclass": "textedit",
					"varname": "token",
					"text": "",
					"lines": 1,
					"fontsize": 9,
					"numinlets": 1,
					"numoutlets": 4,
					"outlettype": [
						"",
						"int",
						"",
						""
					],
					"keymode": 1,
					"wordwrap": 0,
					"annotation": "The engine's token (sentgen serve --token), needed when the engine listens beyond loopback (press Return; empty clears it). Not saved with the Live Set.",
					"annotation_name": "Engine token",
					"patching_rect": [
						800,
						240,
						80,
						18
					],
					"presentation": 1,
					"presentation_rect": [
						344,
						76,
						106,
						16
					]
				}
			},
			{
				"box": {
					"id": "obj-51",
					"maxclass": "newobj",
					"text": "prepend settoken",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						800,
						280,
						109.2,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-52",
					"maxclass": "comment",
					"text": "- - - | - - | - - - -",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						20,
						700,
						440,
						18
					],
					"varname": "attrs",
					"fontsize": 9,
					"presentation": 1,
					"presentation_rect": [
						4,
						76,
						300,
						16
					]
				}
			},
			{
				"box": {
					"id": "obj-53",
					"maxclass": "comment",
					"text": "SentGen: waiting for Live...",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						20,
						730,
						440,
						60
					],
					"varname": "status",
					"fontsize": 9,
					"linecount": 5,
					"presentation": 1,
					"presentation_rect": [
						4,
						94,
						446,
						72
					]
				}
			},
			{
				"box": {
					"id": "obj-54",
					"maxclass": "newobj",
					"text": "prepend set",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						560,
						660,
						78.2,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-55",
					"maxclass": "newobj",
					"text": "prepend set",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						660,
						660,
						78.2,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-56",
					"maxclass": "newobj",
					"text": "live.thisdevice",
					"numinlets": 1,
					"numoutlets": 3,
					"outlettype": [
						"bang",
						"int",
						"int"
					],
					"patching_rect": [
						820,
						20,
						103,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-57",
					"maxclass": "newobj",
					"text": "deferlow",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						820,
						50,
						59.6,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-58",
					"maxclass": "message",
					"text": "init",
					"numinlets": 2,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						820,
						80,
						38.8,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-59",
					"maxclass": "newobj",
					"text": "udpsend 127.0.0.1 9000",
					"numinlets": 1,
					"numoutlets": 0,
					"outlettype": [],
					"patching_rect": [
						940,
						350,
						146.4,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-60",
					"maxclass": "newobj",
					"text": "udpreceive 9001 @defer 1",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						940,
						50,
						158.8,
						22
					]
				}
			}
		],
		"lines": [
			{
				"patchline": {
					"source": [
						"obj-1",
						0
					],
					"destination": [
						"obj-2",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-4",
						4
					],
					"destination": [
						"obj-5",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-6",
						0
					],
					"destination": [
						"obj-7",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-7",
						0
					],
					"destination": [
						"obj-4",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-5",
						0
					],
					"destination": [
						"obj-8",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-8",
						0
					],
					"destination": [
						"obj-6",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-9",
						0
					],
					"destination": [
						"obj-10",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-10",
						0
					],
					"destination": [
						"obj-4",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-5",
						1
					],
					"destination": [
						"obj-11",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-11",
						0
					],
					"destination": [
						"obj-9",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-12",
						0
					],
					"destination": [
						"obj-13",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-13",
						0
					],
					"destination": [
						"obj-4",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-5",
						2
					],
					"destination": [
						"obj-14",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-14",
						0
					],
					"destination": [
						"obj-12",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-15",
						0
					],
					"destination": [
						"obj-16",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-16",
						0
					],
					"destination": [
						"obj-4",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-5",
						3
					],
					"destination": [
						"obj-17",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-17",
						0
					],
					"destination": [
						"obj-15",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-18",
						0
					],
					"destination": [
						"obj-19",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-19",
						0
					],
					"destination": [
						"obj-4",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-5",
						4
					],
					"destination": [
						"obj-20",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-20",
						0
					],
					"destination": [
						"obj-18",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-21",
						0
					],
					"destination": [
						"obj-22",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-22",
						0
					],
					"destination": [
						"obj-4",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-5",
						5
					],
					"destination": [
						"obj-23",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-23",
						0
					],
					"destination": [
						"obj-21",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-24",
						0
					],
					"destination": [
						"obj-25",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-25",
						0
					],
					"destination": [
						"obj-4",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-5",
						6
					],
					"destination": [
						"obj-26",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-26",
						0
					],
					"destination": [
						"obj-24",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-27",
						0
					],
					"destination": [
						"obj-28",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-28",
						0
					],
					"destination": [
						"obj-4",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-5",
						7
					],
					"destination": [
						"obj-29",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-29",
						0
					],
					"destination": [
						"obj-27",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-30",
						0
					],
					"destination": [
						"obj-31",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-31",
						0
					],
					"destination": [
						"obj-4",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-5",
						8
					],
					"destination": [
						"obj-32",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-32",
						0
					],
					"destination": [
						"obj-30",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-33",
						0
					],
					"destination": [
						"obj-34",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-34",
						0
					],
					"destination": [
						"obj-4",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-35",
						0
					],
					"destination": [
						"obj-36",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-36",
						0
					],
					"destination": [
						"obj-4",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-37",
						0
					],
					"destination": [
						"obj-38",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-38",
						0
					],
					"destination": [
						"obj-4",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-39",
						0
					],
					"destination": [
						"obj-40",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-40",
						0
					],
					"destination": [
						"obj-4",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-42",
						0
					],
					"destination": [
						"obj-43",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-43",
						0
					],
					"destination": [
						"obj-4",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-44",
						0
					],
					"destination": [
						"obj-45",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-45",
						0
					],
					"destination": [
						"obj-4",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-47",
						0
					],
					"destination": [
						"obj-48",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-48",
						0
					],
					"destination": [
						"obj-4",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-50",
						0
					],
					"destination": [
						"obj-51",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-51",
						0
					],
					"destination": [
						"obj-4",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-4",
						3
					],
					"destination": [
						"obj-54",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-54",
						0
					],
					"destination": [
						"obj-52",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-4",
						2
					],
					"destination": [
						"obj-55",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-55",
						0
					],
					"destination": [
						"obj-53",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-56",
						0
					],
					"destination": [
						"obj-57",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-57",
						0
					],
					"destination": [
						"obj-58",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-58",
						0
					],
					"destination": [
						"obj-4",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-60",
						0
					],
					"destination": [
						"obj-4",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-4",
						0
					],
					"destination": [
						"obj-59",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-4",
						1
					],
					"destination": [
						"obj-60",
						0
					]
				}
			}
		],
		"dependency_cache": [
			{
				"name": "sentgen_device.js",
				"bootpath": ".",
				"patcherrelativepath": ".",
				"type": "TEXT",
				"implicit": 1
			},
			{
				"name": "sentgen_core.js",
				"bootpath": ".",
				"patcherrelativepath": ".",
				"type": "TEXT",
				"implicit": 1
			}
		],
		"latency": 0,
		"is_mpe": 0,
		"project": {
			"version": 1,
			"autoorganize": 1,
			"hideprojectwindow": 1,
			"showdependencies": 1,
			"autolocalize": 0,
			"contents": {
				"patchers": {},
				"code": {}
			},
			"layout": {},
			"searchpath": {},
			"detailsvisible": 0,
			"amxdtype": 1835887981,
			"readonly": 0,
			"devpathtype": 0,
			"devpath": ".",
			"sortmode": 0,
			"viewmode": 0,
			"includepackages": 0
		},
		"autosave": 0
	}
}
