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
			604,
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
		"devicewidth": 604,
		"description": "SentGen: up to 12 semantic knobs, the ones the engine's current model offers (dMelodies: tonic, octave, scale, rhythms, arpeggios), that edit the first 2 bars of the selected MIDI clip through the sentgen engine (OSC, 127.0.0.1:9000).",
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
					"text": "route dial title label",
					"numinlets": 2,
					"numoutlets": 4,
					"outlettype": [
						"",
						"",
						"",
						""
					],
					"patching_rect": [
						420,
						540,
						146.4,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-6",
					"maxclass": "newobj",
					"text": "route 1 2 3 4 5 6 7 8 9 10 11 12",
					"numinlets": 2,
					"numoutlets": 13,
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
						"",
						"",
						"",
						""
					],
					"patching_rect": [
						420,
						570,
						208.4,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-7",
					"maxclass": "newobj",
					"text": "route 1 2 3 4 5 6 7 8 9 10 11 12",
					"numinlets": 2,
					"numoutlets": 13,
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
						"",
						"",
						"",
						""
					],
					"patching_rect": [
						680,
						570,
						208.4,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-8",
					"maxclass": "newobj",
					"text": "route 1 2 3 4 5 6 7 8 9 10 11 12",
					"numinlets": 2,
					"numoutlets": 13,
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
						"",
						"",
						"",
						""
					],
					"patching_rect": [
						940,
						570,
						208.4,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-9",
					"maxclass": "comment",
					"text": "Tonic",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						20,
						100,
						60,
						16
					],
					"varname": "title1",
					"fontsize": 9,
					"textjustification": 1,
					"presentation": 1,
					"presentation_rect": [
						4,
						0,
						48,
						14
					]
				}
			},
			{
				"box": {
					"id": "obj-10",
					"maxclass": "live.dial",
					"varname": "knob1",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						"float"
					],
					"parameter_enable": 1,
					"annotation": "Knob 1 of the engine's current model: its name is above the dial, its value below. Unused by the model when greyed out.",
					"annotation_name": "Knob 1",
					"showname": 0,
					"shownumber": 0,
					"active": 1,
					"fontsize": 9,
					"patching_rect": [
						20,
						120,
						40,
						30
					],
					"presentation": 1,
					"presentation_rect": [
						10,
						13,
						36,
						28
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "Knob 1",
							"parameter_shortname": "Knob 1",
							"parameter_type": 0,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_mmin": 0,
							"parameter_mmax": 1,
							"parameter_unitstyle": 1,
							"parameter_modmode": 0
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-11",
					"maxclass": "newobj",
					"text": "prepend dial 1",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						20,
						190,
						96.8,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-12",
					"maxclass": "comment",
					"text": "C",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						20,
						160,
						60,
						16
					],
					"varname": "label1",
					"fontsize": 9,
					"textjustification": 1,
					"presentation": 1,
					"presentation_rect": [
						4,
						41,
						48,
						14
					]
				}
			},
			{
				"box": {
					"id": "obj-13",
					"maxclass": "comment",
					"text": "Octave",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						140,
						100,
						60,
						16
					],
					"varname": "title2",
					"fontsize": 9,
					"textjustification": 1,
					"presentation": 1,
					"presentation_rect": [
						54,
						0,
						48,
						14
					]
				}
			},
			{
				"box": {
					"id": "obj-14",
					"maxclass": "live.dial",
					"varname": "knob2",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						"float"
					],
					"parameter_enable": 1,
					"annotation": "Knob 2 of the engine's current model: its name is above the dial, its value below. Unused by the model when greyed out.",
					"annotation_name": "Knob 2",
					"showname": 0,
					"shownumber": 0,
					"active": 1,
					"fontsize": 9,
					"patching_rect": [
						140,
						120,
						40,
						30
					],
					"presentation": 1,
					"presentation_rect": [
						60,
						13,
						36,
						28
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "Knob 2",
							"parameter_shortname": "Knob 2",
							"parameter_type": 0,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_mmin": 0,
							"parameter_mmax": 1,
							"parameter_unitstyle": 1,
							"parameter_modmode": 0
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-15",
					"maxclass": "newobj",
					"text": "prepend dial 2",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						140,
						190,
						96.8,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-16",
					"maxclass": "comment",
					"text": "4",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						140,
						160,
						60,
						16
					],
					"varname": "label2",
					"fontsize": 9,
					"textjustification": 1,
					"presentation": 1,
					"presentation_rect": [
						54,
						41,
						48,
						14
					]
				}
			},
			{
				"box": {
					"id": "obj-17",
					"maxclass": "comment",
					"text": "Scale",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						260,
						100,
						60,
						16
					],
					"varname": "title3",
					"fontsize": 9,
					"textjustification": 1,
					"presentation": 1,
					"presentation_rect": [
						104,
						0,
						48,
						14
					]
				}
			},
			{
				"box": {
					"id": "obj-18",
					"maxclass": "live.dial",
					"varname": "knob3",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						"float"
					],
					"parameter_enable": 1,
					"annotation": "Knob 3 of the engine's current model: its name is above the dial, its value below. Unused by the model when greyed out.",
					"annotation_name": "Knob 3",
					"showname": 0,
					"shownumber": 0,
					"active": 1,
					"fontsize": 9,
					"patching_rect": [
						260,
						120,
						40,
						30
					],
					"presentation": 1,
					"presentation_rect": [
						110,
						13,
						36,
						28
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "Knob 3",
							"parameter_shortname": "Knob 3",
							"parameter_type": 0,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_mmin": 0,
							"parameter_mmax": 1,
							"parameter_unitstyle": 1,
							"parameter_modmode": 0
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-19",
					"maxclass": "newobj",
					"text": "prepend dial 3",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						260,
						190,
						96.8,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-20",
					"maxclass": "comment",
					"text": "major",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						260,
						160,
						60,
						16
					],
					"varname": "label3",
					"fontsize": 9,
					"textjustification": 1,
					"presentation": 1,
					"presentation_rect": [
						104,
						41,
						48,
						14
					]
				}
			},
			{
				"box": {
					"id": "obj-21",
					"maxclass": "comment",
					"text": "Rhythm 1",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						380,
						100,
						60,
						16
					],
					"varname": "title4",
					"fontsize": 9,
					"textjustification": 1,
					"presentation": 1,
					"presentation_rect": [
						154,
						0,
						48,
						14
					]
				}
			},
			{
				"box": {
					"id": "obj-22",
					"maxclass": "live.dial",
					"varname": "knob4",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						"float"
					],
					"parameter_enable": 1,
					"annotation": "Knob 4 of the engine's current model: its name is above the dial, its value below. Unused by the model when greyed out.",
					"annotation_name": "Knob 4",
					"showname": 0,
					"shownumber": 0,
					"active": 1,
					"fontsize": 9,
					"patching_rect": [
						380,
						120,
						40,
						30
					],
					"presentation": 1,
					"presentation_rect": [
						160,
						13,
						36,
						28
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "Knob 4",
							"parameter_shortname": "Knob 4",
							"parameter_type": 0,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_mmin": 0,
							"parameter_mmax": 1,
							"parameter_unitstyle": 1,
							"parameter_modmode": 0
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-23",
					"maxclass": "newobj",
					"text": "prepend dial 4",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						380,
						190,
						96.8,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-24",
					"maxclass": "comment",
					"text": "11111100",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						380,
						160,
						60,
						16
					],
					"varname": "label4",
					"fontsize": 9,
					"textjustification": 1,
					"presentation": 1,
					"presentation_rect": [
						154,
						41,
						48,
						14
					]
				}
			},
			{
				"box": {
					"id": "obj-25",
					"maxclass": "comment",
					"text": "Rhythm 2",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						500,
						100,
						60,
						16
					],
					"varname": "title5",
					"fontsize": 9,
					"textjustification": 1,
					"presentation": 1,
					"presentation_rect": [
						204,
						0,
						48,
						14
					]
				}
			},
			{
				"box": {
					"id": "obj-26",
					"maxclass": "live.dial",
					"varname": "knob5",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						"float"
					],
					"parameter_enable": 1,
					"annotation": "Knob 5 of the engine's current model: its name is above the dial, its value below. Unused by the model when greyed out.",
					"annotation_name": "Knob 5",
					"showname": 0,
					"shownumber": 0,
					"active": 1,
					"fontsize": 9,
					"patching_rect": [
						500,
						120,
						40,
						30
					],
					"presentation": 1,
					"presentation_rect": [
						210,
						13,
						36,
						28
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "Knob 5",
							"parameter_shortname": "Knob 5",
							"parameter_type": 0,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_mmin": 0,
							"parameter_mmax": 1,
							"parameter_unitstyle": 1,
							"parameter_modmode": 0
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-27",
					"maxclass": "newobj",
					"text": "prepend dial 5",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						500,
						190,
						96.8,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-28",
					"maxclass": "comment",
					"text": "11111100",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						500,
						160,
						60,
						16
					],
					"varname": "label5",
					"fontsize": 9,
					"textjustification": 1,
					"presentation": 1,
					"presentation_rect": [
						204,
						41,
						48,
						14
					]
				}
			},
			{
				"box": {
					"id": "obj-29",
					"maxclass": "comment",
					"text": "Arp 1",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						620,
						100,
						60,
						16
					],
					"varname": "title6",
					"fontsize": 9,
					"textjustification": 1,
					"presentation": 1,
					"presentation_rect": [
						254,
						0,
						48,
						14
					]
				}
			},
			{
				"box": {
					"id": "obj-30",
					"maxclass": "live.dial",
					"varname": "knob6",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						"float"
					],
					"parameter_enable": 1,
					"annotation": "Knob 6 of the engine's current model: its name is above the dial, its value below. Unused by the model when greyed out.",
					"annotation_name": "Knob 6",
					"showname": 0,
					"shownumber": 0,
					"active": 1,
					"fontsize": 9,
					"patching_rect": [
						620,
						120,
						40,
						30
					],
					"presentation": 1,
					"presentation_rect": [
						260,
						13,
						36,
						28
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "Knob 6",
							"parameter_shortname": "Knob 6",
							"parameter_type": 0,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_mmin": 0,
							"parameter_mmax": 1,
							"parameter_unitstyle": 1,
							"parameter_modmode": 0
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-31",
					"maxclass": "newobj",
					"text": "prepend dial 6",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						620,
						190,
						96.8,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-32",
					"maxclass": "comment",
					"text": "up",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						620,
						160,
						60,
						16
					],
					"varname": "label6",
					"fontsize": 9,
					"textjustification": 1,
					"presentation": 1,
					"presentation_rect": [
						254,
						41,
						48,
						14
					]
				}
			},
			{
				"box": {
					"id": "obj-33",
					"maxclass": "comment",
					"text": "Arp 2",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						740,
						100,
						60,
						16
					],
					"varname": "title7",
					"fontsize": 9,
					"textjustification": 1,
					"presentation": 1,
					"presentation_rect": [
						304,
						0,
						48,
						14
					]
				}
			},
			{
				"box": {
					"id": "obj-34",
					"maxclass": "live.dial",
					"varname": "knob7",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						"float"
					],
					"parameter_enable": 1,
					"annotation": "Knob 7 of the engine's current model: its name is above the dial, its value below. Unused by the model when greyed out.",
					"annotation_name": "Knob 7",
					"showname": 0,
					"shownumber": 0,
					"active": 1,
					"fontsize": 9,
					"patching_rect": [
						740,
						120,
						40,
						30
					],
					"presentation": 1,
					"presentation_rect": [
						310,
						13,
						36,
						28
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "Knob 7",
							"parameter_shortname": "Knob 7",
							"parameter_type": 0,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_mmin": 0,
							"parameter_mmax": 1,
							"parameter_unitstyle": 1,
							"parameter_modmode": 0
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-35",
					"maxclass": "newobj",
					"text": "prepend dial 7",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						740,
						190,
						96.8,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-36",
					"maxclass": "comment",
					"text": "up",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						740,
						160,
						60,
						16
					],
					"varname": "label7",
					"fontsize": 9,
					"textjustification": 1,
					"presentation": 1,
					"presentation_rect": [
						304,
						41,
						48,
						14
					]
				}
			},
			{
				"box": {
					"id": "obj-37",
					"maxclass": "comment",
					"text": "Arp 3",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						860,
						100,
						60,
						16
					],
					"varname": "title8",
					"fontsize": 9,
					"textjustification": 1,
					"presentation": 1,
					"presentation_rect": [
						354,
						0,
						48,
						14
					]
				}
			},
			{
				"box": {
					"id": "obj-38",
					"maxclass": "live.dial",
					"varname": "knob8",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						"float"
					],
					"parameter_enable": 1,
					"annotation": "Knob 8 of the engine's current model: its name is above the dial, its value below. Unused by the model when greyed out.",
					"annotation_name": "Knob 8",
					"showname": 0,
					"shownumber": 0,
					"active": 1,
					"fontsize": 9,
					"patching_rect": [
						860,
						120,
						40,
						30
					],
					"presentation": 1,
					"presentation_rect": [
						360,
						13,
						36,
						28
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "Knob 8",
							"parameter_shortname": "Knob 8",
							"parameter_type": 0,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_mmin": 0,
							"parameter_mmax": 1,
							"parameter_unitstyle": 1,
							"parameter_modmode": 0
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-39",
					"maxclass": "newobj",
					"text": "prepend dial 8",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						860,
						190,
						96.8,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-40",
					"maxclass": "comment",
					"text": "up",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						860,
						160,
						60,
						16
					],
					"varname": "label8",
					"fontsize": 9,
					"textjustification": 1,
					"presentation": 1,
					"presentation_rect": [
						354,
						41,
						48,
						14
					]
				}
			},
			{
				"box": {
					"id": "obj-41",
					"maxclass": "comment",
					"text": "Arp 4",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						980,
						100,
						60,
						16
					],
					"varname": "title9",
					"fontsize": 9,
					"textjustification": 1,
					"presentation": 1,
					"presentation_rect": [
						404,
						0,
						48,
						14
					]
				}
			},
			{
				"box": {
					"id": "obj-42",
					"maxclass": "live.dial",
					"varname": "knob9",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						"float"
					],
					"parameter_enable": 1,
					"annotation": "Knob 9 of the engine's current model: its name is above the dial, its value below. Unused by the model when greyed out.",
					"annotation_name": "Knob 9",
					"showname": 0,
					"shownumber": 0,
					"active": 1,
					"fontsize": 9,
					"patching_rect": [
						980,
						120,
						40,
						30
					],
					"presentation": 1,
					"presentation_rect": [
						410,
						13,
						36,
						28
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "Knob 9",
							"parameter_shortname": "Knob 9",
							"parameter_type": 0,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_mmin": 0,
							"parameter_mmax": 1,
							"parameter_unitstyle": 1,
							"parameter_modmode": 0
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-43",
					"maxclass": "newobj",
					"text": "prepend dial 9",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						980,
						190,
						96.8,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-44",
					"maxclass": "comment",
					"text": "up",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						980,
						160,
						60,
						16
					],
					"varname": "label9",
					"fontsize": 9,
					"textjustification": 1,
					"presentation": 1,
					"presentation_rect": [
						404,
						41,
						48,
						14
					]
				}
			},
			{
				"box": {
					"id": "obj-45",
					"maxclass": "comment",
					"text": "",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						1100,
						100,
						60,
						16
					],
					"varname": "title10",
					"fontsize": 9,
					"textjustification": 1,
					"presentation": 1,
					"presentation_rect": [
						454,
						0,
						48,
						14
					]
				}
			},
			{
				"box": {
					"id": "obj-46",
					"maxclass": "live.dial",
					"varname": "knob10",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						"float"
					],
					"parameter_enable": 1,
					"annotation": "Knob 10 of the engine's current model: its name is above the dial, its value below. Unused by the model when greyed out.",
					"annotation_name": "Knob 10",
					"showname": 0,
					"shownumber": 0,
					"active": 0,
					"fontsize": 9,
					"patching_rect": [
						1100,
						120,
						40,
						30
					],
					"presentation": 1,
					"presentation_rect": [
						460,
						13,
						36,
						28
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "Knob 10",
							"parameter_shortname": "Knob 10",
							"parameter_type": 0,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_mmin": 0,
							"parameter_mmax": 1,
							"parameter_unitstyle": 1,
							"parameter_modmode": 0
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-47",
					"maxclass": "newobj",
					"text": "prepend dial 10",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						1100,
						190,
						103,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-48",
					"maxclass": "comment",
					"text": "",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						1100,
						160,
						60,
						16
					],
					"varname": "label10",
					"fontsize": 9,
					"textjustification": 1,
					"presentation": 1,
					"presentation_rect": [
						454,
						41,
						48,
						14
					]
				}
			},
			{
				"box": {
					"id": "obj-49",
					"maxclass": "comment",
					"text": "",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						1220,
						100,
						60,
						16
					],
					"varname": "title11",
					"fontsize": 9,
					"textjustification": 1,
					"presentation": 1,
					"presentation_rect": [
						504,
						0,
						48,
						14
					]
				}
			},
			{
				"box": {
					"id": "obj-50",
					"maxclass": "live.dial",
					"varname": "knob11",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						"float"
					],
					"parameter_enable": 1,
					"annotation": "Knob 11 of the engine's current model: its name is above the dial, its value below. Unused by the model when greyed out.",
					"annotation_name": "Knob 11",
					"showname": 0,
					"shownumber": 0,
					"active": 0,
					"fontsize": 9,
					"patching_rect": [
						1220,
						120,
						40,
						30
					],
					"presentation": 1,
					"presentation_rect": [
						510,
						13,
						36,
						28
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "Knob 11",
							"parameter_shortname": "Knob 11",
							"parameter_type": 0,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_mmin": 0,
							"parameter_mmax": 1,
							"parameter_unitstyle": 1,
							"parameter_modmode": 0
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-51",
					"maxclass": "newobj",
					"text": "prepend dial 11",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						1220,
						190,
						103,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-52",
					"maxclass": "comment",
					"text": "",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						1220,
						160,
						60,
						16
					],
					"varname": "label11",
					"fontsize": 9,
					"textjustification": 1,
					"presentation": 1,
					"presentation_rect": [
						504,
						41,
						48,
						14
					]
				}
			},
			{
				"box": {
					"id": "obj-53",
					"maxclass": "comment",
					"text": "",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						1340,
						100,
						60,
						16
					],
					"varname": "title12",
					"fontsize": 9,
					"textjustification": 1,
					"presentation": 1,
					"presentation_rect": [
						554,
						0,
						48,
						14
					]
				}
			},
			{
				"box": {
					"id": "obj-54",
					"maxclass": "live.dial",
					"varname": "knob12",
					"numinlets": 1,
					"numoutlets": 2,
					"outlettype": [
						"",
						"float"
					],
					"parameter_enable": 1,
					"annotation": "Knob 12 of the engine's current model: its name is above the dial, its value below. Unused by the model when greyed out.",
					"annotation_name": "Knob 12",
					"showname": 0,
					"shownumber": 0,
					"active": 0,
					"fontsize": 9,
					"patching_rect": [
						1340,
						120,
						40,
						30
					],
					"presentation": 1,
					"presentation_rect": [
						560,
						13,
						36,
						28
					],
					"saved_attribute_attributes": {
						"valueof": {
							"parameter_longname": "Knob 12",
							"parameter_shortname": "Knob 12",
							"parameter_type": 0,
							"parameter_initial_enable": 1,
							"parameter_initial": [
								0
							],
							"parameter_mmin": 0,
							"parameter_mmax": 1,
							"parameter_unitstyle": 1,
							"parameter_modmode": 0
						}
					}
				}
			},
			{
				"box": {
					"id": "obj-55",
					"maxclass": "newobj",
					"text": "prepend dial 12",
					"numinlets": 1,
					"numoutlets": 1,
					"outlettype": [
						""
					],
					"patching_rect": [
						1340,
						190,
						103,
						22
					]
				}
			},
			{
				"box": {
					"id": "obj-56",
					"maxclass": "comment",
					"text": "",
					"numinlets": 1,
					"numoutlets": 0,
					"patching_rect": [
						1340,
						160,
						60,
						16
					],
					"varname": "label12",
					"fontsize": 9,
					"textjustification": 1,
					"presentation": 1,
					"presentation_rect": [
						554,
						41,
						48,
						14
					]
				}
			},
			{
				"box": {
					"id": "obj-57",
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
					"id": "obj-58",
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
					"id": "obj-59",
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
					"id": "obj-60",
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
					"id": "obj-61",
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
					"id": "obj-62",
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
					"id": "obj-63",
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
					"id": "obj-64",
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
					"id": "obj-65",
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
					"id": "obj-66",
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
					"id": "obj-67",
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
					"id": "obj-68",
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
					"id": "obj-69",
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
					"id": "obj-70",
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
					"id": "obj-71",
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
					"id": "obj-72",
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
					"id": "obj-73",
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
						438,
						56,
						36,
						16
					]
				}
			},
			{
				"box": {
					"id": "obj-74",
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
						474,
						56,
						126,
						16
					]
				}
			},
			{
				"box": {
					"id": "obj-75",
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
					"id": "obj-76",
					"maxclass": "comment",
					"text": "",
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
						596,
						16
					]
				}
			},
			{
				"box": {
					"id": "obj-77",
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
						596,
						72
					]
				}
			},
			{
				"box": {
					"id": "obj-78",
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
					"id": "obj-79",
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
					"id": "obj-80",
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
					"id": "obj-81",
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
					"id": "obj-82",
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
					"id": "obj-83",
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
					"id": "obj-84",
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
						"obj-5",
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
						"obj-5",
						1
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
						"obj-5",
						2
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
						"obj-7",
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
						"obj-10",
						0
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
						"obj-4",
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
						"obj-10",
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
						"obj-12",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-7",
						1
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
						"obj-14",
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
						"obj-15",
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
						"obj-6",
						1
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
						"obj-8",
						1
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
						"obj-7",
						2
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
						"obj-6",
						2
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
						"obj-8",
						2
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
						"obj-7",
						3
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
						"obj-22",
						0
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
						"obj-4",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-6",
						3
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
						"obj-8",
						3
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
						"obj-7",
						4
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
						"obj-26",
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
						"obj-27",
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
						"obj-6",
						4
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
						"obj-8",
						4
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
						"obj-7",
						5
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
						"obj-6",
						5
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
						"obj-8",
						5
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
						"obj-7",
						6
					],
					"destination": [
						"obj-33",
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
						"obj-35",
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
						"obj-4",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-6",
						6
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
						"obj-8",
						6
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
						"obj-7",
						7
					],
					"destination": [
						"obj-37",
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
						"obj-39",
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
						"obj-4",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-6",
						7
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
						"obj-8",
						7
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
						"obj-7",
						8
					],
					"destination": [
						"obj-41",
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
						"obj-6",
						8
					],
					"destination": [
						"obj-42",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-8",
						8
					],
					"destination": [
						"obj-44",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-7",
						9
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
						"obj-46",
						0
					],
					"destination": [
						"obj-47",
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
						"obj-4",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-6",
						9
					],
					"destination": [
						"obj-46",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-8",
						9
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
						"obj-7",
						10
					],
					"destination": [
						"obj-49",
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
						"obj-6",
						10
					],
					"destination": [
						"obj-50",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-8",
						10
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
						"obj-7",
						11
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
						"obj-54",
						0
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
						"obj-4",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-6",
						11
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
						"obj-8",
						11
					],
					"destination": [
						"obj-56",
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
						"obj-59",
						0
					],
					"destination": [
						"obj-60",
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
						"obj-61",
						0
					],
					"destination": [
						"obj-62",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-62",
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
						"obj-63",
						0
					],
					"destination": [
						"obj-64",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-64",
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
						"obj-66",
						0
					],
					"destination": [
						"obj-67",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-67",
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
						"obj-68",
						0
					],
					"destination": [
						"obj-69",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-69",
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
						"obj-71",
						0
					],
					"destination": [
						"obj-72",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-72",
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
						"obj-74",
						0
					],
					"destination": [
						"obj-75",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-75",
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
						"obj-78",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-78",
						0
					],
					"destination": [
						"obj-76",
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
						"obj-79",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-79",
						0
					],
					"destination": [
						"obj-77",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-80",
						0
					],
					"destination": [
						"obj-81",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-81",
						0
					],
					"destination": [
						"obj-82",
						0
					]
				}
			},
			{
				"patchline": {
					"source": [
						"obj-82",
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
						"obj-84",
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
						"obj-83",
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
						"obj-84",
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
